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

        try CgroupJoin.join(config.cgroupProcs ?? [], container: config.name)
        let fifo = try config.startFIFO.map { try StartFIFO(path: $0, container: config.name) }
        try joinOrCreateNamespaces()
        let rootfs = RootfsBuilder(spec: spec, rootPath: root.path)
        try rootfs.build()
        if let console = config.consoleSocketFD { try Console.attach(socket: console, container: config.name) }
        if let hostname = spec.hostname, ownsNamespace("uts") { try Sys.sethostname(hostname) }
        try applySysctls(spec.linux?.sysctl ?? [:])
        try rootfs.finish()

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

    /// Namespaces with a path are joined; the others were created by clone()
    /// (mount, pid) or are created here (the rest).
    private func joinOrCreateNamespaces() throws {
        var toCreate: Sys.Namespaces = []
        for ns in spec.linux?.namespaces ?? [] {
            guard let type = Sys.Namespaces(ociType: ns.type) else {
                throw MinipodError(.runtime, "linux.namespaces: unknown namespace type \"\(ns.type)\"")
            }
            if let path = ns.path {
                if type == .mount || type == .pid || type == .user {
                    throw MinipodError(.runtime, "linux.namespaces: joining a \(ns.type) namespace by path is not supported in create mode")
                }
                try Sys.setns(path: path, type)
            } else if type != .mount && type != .pid {
                toCreate.insert(type)
            }
        }
        // The cgroup namespace is unshared last so its root is the container's cgroup,
        // which the launcher moved us into before sending the config.
        if !toCreate.subtracting(.cgroup).isEmpty { try Sys.unshare(toCreate.subtracting(.cgroup)) }
        if toCreate.contains(.cgroup) { try Sys.unshare(.cgroup) }
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
