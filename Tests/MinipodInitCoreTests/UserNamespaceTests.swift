import Glibc
import MinipodOCI
import MinipodSystem
import Testing

/// In a user namespace the mounts copied from the host are locked and mknod is refused.
struct UserNamespaceTests {
    /// The flags a user namespace locks on the host's mounts, relatime among them: no remount asks for it by itself.
    static let locked: Sys.MountFlags = [.noSuid, .noDev, .relatime]

    @Test func everyBindRemountCarriesTheLockedFlags() throws {
        let fixture = try Fixture.ociWithBindAndDevice(userNamespace: true)
        let run = fixture.run { $0.lockedMountFlags = Self.locked }
        #expect(run.reachedExec, "\(String(describing: run.error))")
        let remounts = run.calls.compactMap(\.remount)
        #expect(remounts.contains { $0.target == fixture.rootfs + "/data" } && remounts.contains { $0.target == "/" })
        #expect(remounts.allSatisfy { $0.flags.isSuperset(of: Self.locked) }, "\(remounts)")
    }

    @Test func outsideOneARemountAsksOnlyForItsOwnFlags() throws {
        let fixture = try Fixture.ociWithBindAndDevice(userNamespace: false)
        let run = fixture.run { $0.lockedMountFlags = Self.locked }
        let remounts = run.calls.compactMap(\.remount)
        #expect(remounts.first { $0.target == fixture.rootfs + "/data" }?.flags == [.bind, .remount, .readOnly])
        #expect(remounts.first { $0.target == "/" }?.flags == [.bind, .remount, .readOnly])
    }

    @Test func devicesAreBoundFromTheHostNotMade() throws {
        let fixture = try Fixture.ociWithBindAndDevice(userNamespace: true)
        let run = fixture.run()
        let target = fixture.rootfs + "/dev/fuse"
        #expect(run.first(\.isMakeNode) == nil)
        let bind = try #require(run.first { $0 == .mount(.init(source: "/dev/fuse", target: target, type: nil, flags: [.bind], data: nil)) })
        #expect(run.call(at: bind - 1) == .createFile(target))
        let devTmpfs = try #require(run.first { $0.newMount?.target == fixture.rootfs + "/dev" })
        #expect(devTmpfs < bind && bind < (run.first(\.isPivotRoot) ?? 0))
    }

    @Test func outsideOneDevicesAreMadeWithTheSpecsModeAndOwner() throws {
        let fixture = try Fixture.ociWithBindAndDevice(userNamespace: false)
        let run = fixture.run()
        let target = fixture.rootfs + "/dev/fuse"
        let node = try #require(run.first(\.isMakeNode))
        #expect(
            run.calls(from: node, through: node + 2) == [
                .makeNode(target, mode: S_IFCHR | 0o660, device: dev_t(10 << 8 | 229)),  // glibc's makedev(10, 229)
                .changeMode(target, 0o660),
                .changeOwner(target, uid: 0, gid: 5),
            ])
        #expect(run.first { $0.newMount?.source == "/dev/fuse" } == nil)
        let devTmpfs = try #require(run.first { $0.newMount?.target == fixture.rootfs + "/dev" })
        #expect(devTmpfs < node && node < (run.first(\.isPivotRoot) ?? 0))
    }
}
