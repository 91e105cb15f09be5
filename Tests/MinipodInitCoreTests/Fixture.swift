import Foundation
import MinipodInitCore
import MinipodKube
import MinipodNet
import MinipodOCI
import MinipodRuntime
import MinipodSystem

@testable import MinipodPod

/// A real spec and the files the fake's host and image have for it.
struct Fixture {
    var spec: RuntimeSpec
    let bundle: TemporaryBundle
    var rootfs: String { bundle.rootfs }
    var hostFiles: [String] = RootfsModel.hostDevices
    var hostDirectories: [String] = []

    /// `minipod oci spec`'s config.json loaded as `minipod oci create` loads a bundle,
    /// with Docker's default seccomp profile added (the launcher then sends a filter).
    static func ociDefault() throws -> Fixture {
        let bundle = try TemporaryBundle()
        try Data(OCIDefaults.configJSON.utf8).write(to: URL(fileURLWithPath: bundle.path + "/config.json"))
        var spec = try OCIBundle.load(bundle.path, id: "test").spec
        spec.linux?.seccomp = DefaultProfile.seccomp()
        return Fixture(spec: spec, bundle: bundle)
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

    /// SpecGenerator's spec for the sidecar lab's nginx: its log directory an emptyDir.
    static func pod(security: SecurityContext? = nil) throws -> Fixture {
        let bundle = try TemporaryBundle()
        var container = Container(name: "nginx", image: "nginx:1.25", command: ["nginx", "-g", "daemon off;"])
        container.volumeMounts = [VolumeMount(name: "logs", mountPath: "/var/log/nginx")]
        container.securityContext = security
        var podSpec = PodSpec(containers: [container])
        podSpec.volumes = [Volume(name: "logs", emptyDir: EmptyDirVolumeSource())]
        let pod = Pod(metadata: ObjectMeta(name: "lab", namespace: "default", uid: "u1"), spec: podSpec)
        let etc = bundle.path + "/etc"
        let logs = bundle.path + "/volumes/logs"
        let context = ContainerContext(
            pod: pod, container: container, imageConfig: nil, lowerDirs: ["/layers/a", "/layers/b"],
            containerDir: bundle.path, sandbox: Sandbox(netns: "/run/netns/lab", uts: "/run/ns/uts", ipc: "/run/ns/ipc"),
            hostNetwork: false, etcDir: etc, volumeDirs: ["logs": logs], podIP: "10.86.0.7", passwd: nil)
        var fixture = Fixture(spec: try SpecGenerator.spec(for: context), bundle: bundle)
        fixture.hostFiles += [etc + "/hosts", etc + "/hostname", etc + "/resolv.conf"]
        fixture.hostDirectories.append(logs)
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
        config.cgroupProcs = ["/sys/fs/cgroup/minipod/test/cgroup.procs"]
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
