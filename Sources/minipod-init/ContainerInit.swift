#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import MinipodOCI
import MinipodSystem

/// create mode: namespaces, rootfs, pivot_root, then wait for "start" and exec.
struct ContainerInit {
    let config: InitConfig
    var spec: RuntimeSpec { config.spec }

    func run() throws {
        guard let process = spec.process, !process.args.isEmpty else {
            throw MinipodError(.runtime, "container \(config.name): process.args is empty")
        }
        guard let root = spec.root else { throw MinipodError(.runtime, "container \(config.name): root.path is missing") }

        // Without a list the launcher moved us (a user namespace or a joined mount namespace).
        if let procs = config.cgroupProcs { try CgroupJoin.join(procs, container: config.name) }
        let fifo = try config.startFIFO.map { try StartFIFO(path: $0, container: config.name) }
        try createNamespaces()
        let rootfs = RootfsBuilder(spec: spec, rootPath: root.path, inUserNamespace: hasNamespace("user"))
        // Without a mount namespace (new or joined) mounting would change the caller's: only chroot.
        let ownsMounts = hasNamespace("mount")
        if ownsMounts { try rootfs.build() } else { try rootfs.changeRootWithoutMounts() }
        if let console = config.consoleSocketFD { try Console.attach(socket: console, container: config.name) }
        if let hostname = spec.hostname, ownsNamespace("uts") { try Sys.sethostname(hostname) }
        try applySysctls(spec.linux?.sysctl ?? [:])
        if ownsMounts { try rootfs.finish() }

        let launch = try Launch(process: process, seccomp: seccompProgram, container: config.name)
        try launch.prepare()

        // Tell the launcher we are ready; it answers with one byte to start
        // (the OCI create/start split), or closes the socket to abort.
        report(InitReport(kind: .ready, pid: getpid()))
        guard let fifo else {
            guard let go = try Message.receive(syncFD), go.first == 1 else { exit(1) }
            try launch.exec()
        }
        try fifo.waitForStart()
        do { try launch.exec() } catch {
            // The create process that held the socket is gone: stderr is the only witness left.
            FileIO.writeAll(2, "\(error)\n")
            throw error
        }
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
        if !first.isEmpty { try Sys.unshare(first) }
        if toCreate.contains(.time) { try TimeNamespace.create(offsets: spec.linux?.timeOffsets ?? [:]) }
        if toCreate.contains(.cgroup) { try Sys.unshare(.cgroup) }
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
            do { try FileIO.write(path, value, flags: O_WRONLY | O_TRUNC) } catch {
                throw MinipodError(.runtime, "linux.sysctl[\(key)]: cannot set to \(value)", errno: (error as? MinipodError)?.errno)
            }
        }
    }
}
