import CMinipod
import Foundation
import MinipodSystem

/// A pod's shared namespaces (network, uts, ipc, and user with `hostUsers: false`)
/// kept alive by bind mounts, so no pause process is needed: containers join them by path.
public struct Sandbox: Sendable {
    public let netns: String
    public let uts: String
    public let ipc: String
    /// The pod's user namespace; it owns the others, as the pause container's does under
    /// Kubernetes, so a container's root may mount sysfs and set the pod's net sysctls.
    public let user: String

    public init(netns: String, uts: String, ipc: String, user: String) {
        self.netns = netns
        self.uts = uts
        self.ipc = ipc
        self.user = user
    }

    /// The user namespace first: pinned first, it is there whenever the others are.
    public var paths: [(type: String, path: String)] { [("user", user), ("network", netns), ("uts", uts), ("ipc", ipc)] }

    /// Creates the namespaces (hostname set in the new uts namespace) and pins them.
    /// `hostNetwork` keeps the host's network and UTS namespaces (only IPC is the pod's own).
    /// `idMap` ("0 <base> <size>\n"): a user namespace of the pod's own with that uid and gid map, made first.
    public func create(hostname: String, hostNetwork: Bool = false, idMap: String? = nil) throws {
        var flags: Sys.Namespaces = hostNetwork ? [.ipc] : [.net, .uts, .ipc]
        if idMap != nil { flags.insert(.user) }
        var releaseFD: Int32 = -1
        var err: Int32 = 0
        let pid = mp_fork_ns_holder(Int32(flags.rawValue), hostname, idMap, idMap, &releaseFD, &err)
        if pid < 0 {
            throw MinipodError.sys(idMap == nil ? "create pod namespaces" : "create the pod's user namespace and namespaces", errno: err)
        }
        defer {
            close(releaseFD)
            _ = try? Spawn.wait(pid)
        }
        do {
            for (type, path) in paths {
                if hostNetwork && type != "ipc" { continue }
                if type == "user" && idMap == nil { continue }
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
