import Glibc
import MinipodInitCore
import MinipodOCI
import MinipodSystem
import Testing

/// A call the kernel refuses stops the setup there, and the error says which part of the spec it was.
struct FailureTests {
    @Test(arguments: [0, 3, 6])
    func aFailingMountStopsTheSetupAndNamesTheMount(index: Int) throws {
        let fixture = try Fixture.ociDefault()
        let destination = try #require(fixture.spec.mounts?[index].destination)
        let target = fixture.rootfs + destination
        let run = fixture.run { $0.fail(with: EACCES) { $0.newMount?.target == target } }
        let error = try #require(run.error as? MinipodError)
        #expect(error.field == "mounts[\(index)] (\(destination))")
        #expect(error.errno == EACCES)
        #expect(run.calls.last?.newMount?.target == target, "nothing after the refused mount")
    }

    @Test func sysfsRefusedWithoutANetworkNamespaceIsTheHostsBoundReadOnly() throws {
        let fixture = try Fixture.ociDefault()
        let sys = fixture.rootfs + "/sys"
        let run = fixture.run { $0.fail(with: EPERM) { $0.newMount?.type == "sysfs" } }
        #expect(run.reachedExec, "\(String(describing: run.error))")
        let sysfs = try #require(run.first { $0.newMount?.type == "sysfs" })
        #expect(
            run.calls(from: sysfs + 1, through: sysfs + 2) == [
                .mount(.init(source: "/sys", target: sys, type: nil, flags: [.bind, .recursive], data: nil)),
                .mount(.init(source: nil, target: sys, type: nil, flags: [.bind, .remount, .readOnly, .noSuid, .noDev, .noExec], data: nil)),
            ])
    }

    @Test func aFailingDeviceNamesTheDevice() throws {
        let fixture = try Fixture.ociWithBindAndDevice(userNamespace: false)
        let run = fixture.run { $0.fail(with: EPERM) { $0.isMakeNode } }
        let error = try #require(run.error as? MinipodError)
        #expect(error.field == "linux.devices[0] (/dev/fuse)" && error.errno == EPERM)
        #expect(run.first(\.isPivotRoot) == nil)
    }

    @Test(arguments: [(ENOENT, Int32(127)), (EACCES, Int32(126))])
    func aFailingExecveExitsAsRuncDoes(errno: Int32, exitCode: Int32) throws {
        let run = try Fixture.ociDefault().run { $0.fail(with: errno) { $0.isExecute } }
        let error = try #require(run.error as? LaunchError)
        #expect(error.exitCode == exitCode)
        #expect(error.message.hasPrefix("container test: exec /bin/sh: "))
    }
}

/// What the setup changes from the spec is told, not silent.
struct SetupWarningTests {
    @Test func aLimitAboveTheHostsHardLimitIsLoweredAndSaidSo() throws {
        var fixture = try Fixture.ociDefault()
        fixture.spec.process?.rlimits = [.init(type: "RLIMIT_NOFILE", hard: 1_048_576, soft: 1_048_576)]
        let fake = RecordingSyscalls()
        fake.hardLimit = 524_288
        var launch = Launch(process: fixture.spec.process!, seccomp: nil, container: "web", faultPoint: nil, syscalls: fake)
        fake.addFile("/bin/sh", executable: true)
        try launch.prepare()
        #expect(launch.warnings == ["container web: process.rlimits RLIMIT_NOFILE: hard limit 1048576 lowered to 524288, the most this host allows"])
        #expect(fake.calls.contains(.setResourceLimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), soft: 524_288, hard: 524_288)))
        fake.hardLimit = rlim_t.max
        var unlimited = Launch(process: fixture.spec.process!, seccomp: nil, container: "web", faultPoint: nil, syscalls: fake)
        try unlimited.prepare()
        #expect(unlimited.warnings.isEmpty)
    }
}
