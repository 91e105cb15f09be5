import Glibc
import MinipodInitProtocol
import MinipodOCI
import MinipodSystem

/// create mode up to "ready": namespaces, rootfs, pivot_root, hostname, sysctls, and
/// the process checked. minipod-init's ContainerInit does the handshake around it.
public struct ContainerSetup {
    let config: InitConfig
    let seccomp: SeccompProgram?
    let process: RuntimeSpec.Process
    let root: RuntimeSpec.Root
    let syscalls: any Syscalls
    var spec: RuntimeSpec { config.spec }

    public init(config: InitConfig, seccomp: SeccompProgram?, syscalls: any Syscalls = LinuxSyscalls()) throws {
        guard let process = config.spec.process, !process.args.isEmpty else {
            throw MinipodError(.runtime, "container \(config.name): process.args is empty")
        }
        guard let root = config.spec.root else { throw MinipodError(.runtime, "container \(config.name): root.path is missing") }
        self.config = config
        self.seccomp = seccomp
        self.process = process
        self.root = root
        self.syscalls = syscalls
    }

    /// First thing: the namespaces and mounts that follow are the container's cgroup's.
    public func joinCgroup() throws {
        // Without a list the launcher moved us (a user namespace or a joined mount namespace).
        if let procs = config.cgroupProcs { try syscalls.joinCgroup(procs, container: config.name) }
    }

    /// Everything that can fail before the launcher hears "ready"; the Launch execs after "start".
    public func run() throws -> Launch {
        try createNamespaces()
        let rootfs = RootfsBuilder(
            spec: spec, rootPath: root.path, inUserNamespace: hasNamespace("user"), rootfsMount: config.rootfsMountFD, syscalls: syscalls)
        // Without a mount namespace (new or joined) mounting would change the caller's: only chroot.
        let ownsMounts = hasNamespace("mount")
        if ownsMounts { try rootfs.build() } else { try rootfs.changeRootWithoutMounts() }
        if let console = config.consoleSocketFD { try syscalls.attachConsole(socket: console, container: config.name) }
        if let hostname = spec.hostname, ownsNamespace("uts") { try syscalls.setHostname(hostname) }
        try applySysctls(spec.linux?.sysctl ?? [:])
        if ownsMounts { try rootfs.finish() }

        var launch = Launch(process: process, seccomp: seccomp, container: config.name, faultPoint: config.faultPoint, syscalls: syscalls)
        try launch.prepare()
        return launch
    }

    /// The spawn joined the namespaces that have a path and made the user, mount and
    /// pid ones (MinipodRuntime's NamespacePlan); the others are made here.
    private func createNamespaces() throws {
        var toCreate: Sys.Namespaces = []
        for ns in spec.linux?.namespaces ?? [] where ns.path?.isEmpty ?? true {
            guard let type = Sys.Namespaces(ociType: ns.type) else {
                throw MinipodError(.runtime, "linux.namespaces: unknown namespace type \"\(ns.type)\"")
            }
            toCreate.insert(type)
        }
        toCreate.subtract([.user, .mount, .pid])
        // The cgroup namespace is unshared last so its root is the container's cgroup,
        // which we joined (or were moved into) before.
        let first = toCreate.subtracting([.cgroup, .time])
        if !first.isEmpty { try syscalls.unshare(first) }
        if first.contains(.net) { try syscalls.setLoopbackUp() }
        if toCreate.contains(.time) { try TimeNamespace(syscalls: syscalls).create(offsets: spec.linux?.timeOffsets ?? [:]) }
        if toCreate.contains(.cgroup) { try syscalls.unshare(.cgroup) }
    }

    private func hasNamespace(_ type: String) -> Bool {
        spec.linux?.namespaces?.contains { $0.type == type } ?? false
    }

    private func ownsNamespace(_ type: String) -> Bool {
        spec.linux?.namespaces?.contains { $0.type == type && $0.path == nil } ?? false
    }

    private func applySysctls(_ sysctls: [String: String]) throws {
        for (key, value) in sysctls.sorted(by: { $0.key < $1.key }) {
            let path = "/proc/sys/" + String(key.map { $0 == "." ? "/" : $0 })
            do { try syscalls.writeKernelFile(path, value, flags: O_WRONLY | O_TRUNC) } catch {
                throw MinipodError(.runtime, "linux.sysctl[\(key)]: cannot set to \(value)", errno: (error as? MinipodError)?.errno)
            }
        }
    }
}
