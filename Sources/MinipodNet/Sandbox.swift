import CMinipod
import Foundation
import MinipodSystem

/// A pod's shared namespaces (network, uts, ipc) kept alive by bind mounts,
/// so no pause process is needed: containers join them by path.
public struct Sandbox: Sendable {
    public let netns: String
    public let uts: String
    public let ipc: String

    public init(netns: String, uts: String, ipc: String) {
        self.netns = netns
        self.uts = uts
        self.ipc = ipc
    }

    public var paths: [(type: String, path: String)] { [("network", netns), ("uts", uts), ("ipc", ipc)] }

    /// Creates the namespaces (hostname set in the new uts namespace) and pins them.
    /// `hostNetwork` keeps the host's network and UTS namespaces (only IPC is the pod's own).
    public func create(hostname: String, hostNetwork: Bool = false) throws {
        let flags: Sys.Namespaces = hostNetwork ? [.ipc] : [.net, .uts, .ipc]
        var releaseFD: Int32 = -1
        var err: Int32 = 0
        let pid = mp_fork_ns_holder(Int32(flags.rawValue), hostname, &releaseFD, &err)
        if pid < 0 { throw MinipodError.sys("create pod namespaces", errno: err) }
        defer {
            close(releaseFD)
            _ = try? Spawn.wait(pid)
        }
        do {
            for (type, path) in paths {
                if hostNetwork && type != "ipc" { continue }
                try FileIO.makeDirectories((path as NSString).deletingLastPathComponent)
                try FileIO.write(path, "", mode: 0o444)
                let procName = type == "network" ? "net" : type
                try Sys.mount(source: "/proc/\(pid)/ns/\(procName)", target: path, type: nil, flags: [.bind])
            }
        } catch {
            remove()
            throw error
        }
    }

    /// Unmounts and deletes the pinned namespaces; safe to call on a half-made or gone sandbox.
    public func remove() {
        for (_, path) in paths {
            _ = try? Sys.unmount(path, detach: true)
            unlink(path)
        }
    }
}
