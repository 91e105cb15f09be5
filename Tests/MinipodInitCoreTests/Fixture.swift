import Foundation
import MinipodInitCore
import MinipodInitProtocol
import MinipodOCI
import MinipodSystem

/// A real spec and the files the fake's host and image have for it.
struct Fixture {
    var spec: RuntimeSpec
    let bundle: TemporaryBundle
    var rootfs: String { bundle.rootfs }
    var hostFiles: [String] = RootfsModel.hostDevices
    var hostDirectories: [String] = []
    /// What the launcher tells init: the cgroup to join itself (nil: the launcher moved it),
    /// and the descriptor of a rootfs it made as a detached mount.
    var cgroupProcs: [String]? = ["/sys/fs/cgroup/minipod/test/cgroup.procs"]
    var rootfsMountFD: Int32? = nil

    /// `minipod oci spec`'s config.json loaded as `minipod oci create` loads a bundle,
    /// with Docker's default seccomp profile added (the launcher then sends a filter).
    /// Checked in as Fixtures/oci-default.json (MinipodRuntimeTests keep it true).
    static func ociDefault() throws -> Fixture {
        let bundle = try TemporaryBundle()
        return Fixture(spec: try load("oci-default", bundle: bundle), bundle: bundle)
    }

    /// A checked-in spec whose bundle paths are under /BUNDLE, moved to `bundle`.
    static func load(_ name: String, bundle: TemporaryBundle) throws -> RuntimeSpec {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name).json")
        let text = try String(contentsOf: file, encoding: .utf8).replacingOccurrences(of: "/BUNDLE", with: bundle.path)
        return try JSONDecoder().decode(RuntimeSpec.self, from: Data(text.utf8))
    }

    /// `minipod oci spec` with a read-only bind of a host directory and /dev/fuse,
    /// in a user namespace (root is host uid 200000) or not.
    static func ociWithBindAndDevice(userNamespace: Bool) throws -> Fixture {
        var fixture = try Fixture.ociDefault()
        if userNamespace {
            fixture.spec.linux?.namespaces?.append(.init(type: "user"))
            fixture.spec.linux?.uidMappings = [.init(containerID: 0, hostID: 200000, size: 65536)]
            fixture.spec.linux?.gidMappings = [.init(containerID: 0, hostID: 200000, size: 65536)]
        }
        let data = fixture.bundle.path + "/data"
        fixture.spec.mounts?.append(.init(destination: "/data", type: "bind", source: data, options: ["rbind", "ro"]))
        fixture.hostDirectories.append(data)
        var fuse = RuntimeSpec.Device(path: "/dev/fuse", type: "c", major: 10, minor: 229)
        fuse.fileMode = 0o660
        fuse.uid = 0
        fuse.gid = 5
        fixture.spec.linux?.devices = [fuse]
        fixture.hostFiles.append("/dev/fuse")
        return fixture
    }

    /// SpecGenerator's spec for the sidecar lab's nginx: its log directory an emptyDir
    /// (Fixtures/pod-nginx.json, kept true by MinipodPodTests), changed by `adjust`
    /// as a securityContext would change it.
    static func pod(_ adjust: (inout RuntimeSpec.Process) -> Void = { _ in }) throws -> Fixture {
        let bundle = try TemporaryBundle()
        var spec = try load("pod-nginx", bundle: bundle)
        if var process = spec.process {
            adjust(&process)
            spec.process = process
        }
        var fixture = Fixture(spec: spec, bundle: bundle)
        let etc = bundle.path + "/etc"
        fixture.hostFiles += [etc + "/hosts", etc + "/hostname", etc + "/resolv.conf"]
        fixture.hostDirectories.append(bundle.path + "/volumes/logs")
        return fixture
    }

    /// The pod fixture with `hostUsers: false`, as SpecGenerator writes it with an ID range
    /// (SpecGeneratorTests check that part): the pod's user namespace joined by path,
    /// its maps, and what the launcher does for it: the rootfs made on ID-mapped layers and
    /// passed as fd 5, the cgroup joined for init (host cgroup files are not the pod root's).
    static func podInUserNamespace() throws -> Fixture {
        var fixture = try Fixture.pod()
        fixture.spec.linux?.namespaces?.insert(.init(type: "user", path: "/run/minipod/pods/default_lab/ns/user"), at: 0)
        fixture.spec.linux?.uidMappings = [.init(containerID: 0, hostID: 0x7000_0000, size: 65536)]
        fixture.spec.linux?.gidMappings = [.init(containerID: 0, hostID: 0x7000_0000, size: 65536)]
        fixture.rootfsMountFD = 5
        fixture.cgroupProcs = nil
        return fixture
    }

    /// A one-instruction filter (return ALLOW): what it says does not matter to the order.
    var seccomp: SeccompProgram? {
        spec.linux?.seccomp == nil ? nil : SeccompProgram(instructions: [0x06, 0, 0, 0, 0, 0, 0xff, 0x7f], flags: 0)
    }

    /// Runs create mode as minipod-init does (cgroup, setup, then the exec after "start")
    /// against a fresh fake that `configure` may prepare.
    func run(_ configure: (RecordingSyscalls) -> Void = { _ in }) -> SetupRun {
        let fake = RecordingSyscalls()
        hostFiles.forEach { fake.addFile($0) }
        hostDirectories.forEach { fake.addDirectory($0) }
        RootfsModel.seed(fake, rootfs: rootfs)
        configure(fake)
        var config = InitConfig(mode: .create, spec: spec, name: "test")
        config.cgroupProcs = cgroupProcs
        config.rootfsMountFD = rootfsMountFD
        do {
            let setup = try ContainerSetup(config: config, seccomp: seccomp, syscalls: fake)
            try setup.joinCgroup()
            let launch = try setup.run()
            try launch.exec()
        } catch {
            return SetupRun(calls: fake.calls, error: error)
        }
    }
}
