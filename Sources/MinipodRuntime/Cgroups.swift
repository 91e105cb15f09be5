import Foundation
import MinipodOCI
import MinipodSystem

/// The cgroup hierarchy layout of this host, detected per controller:
/// pure v2 (unified), or v1 with one mount per controller (a v1 "hybrid"
/// host may also have a cgroup2 mount that we leave alone).
public enum CgroupLayout: Equatable, Sendable {
    case v2(root: String)
    case v1(controllers: [String: String])   // controller name → hierarchy mount

    public static let managedV1Controllers = ["cpu", "cpuacct", "memory", "pids", "cpuset", "freezer", "devices", "blkio"]

    public static func detect(root: String = "/sys/fs/cgroup") -> CgroupLayout {
        if FileIO.exists(root + "/cgroup.controllers") { return .v2(root: root) }
        var controllers: [String: String] = [:]
        for name in managedV1Controllers {
            let dir = root + "/" + name
            if FileIO.exists(dir + "/cgroup.procs") { controllers[name] = dir }
        }
        return .v1(controllers: controllers)
    }
}

/// One cgroup (e.g. "minipod/<pod-uid>/<container>") across the hierarchies of the layout.
public struct Cgroup: Sendable {
    public let layout: CgroupLayout
    public let path: String

    public init(layout: CgroupLayout, path: String) {
        self.layout = layout
        self.path = path.hasPrefix("/") ? String(path.dropFirst()) : path
    }

    public var directories: [String] {
        switch layout {
        case .v2(let root): return [root + "/" + path]
        case .v1(let controllers): return controllers.keys.sorted().map { controllers[$0]! + "/" + path }
        }
    }

    public var procsFiles: [String] { directories.map { $0 + "/cgroup.procs" } }

    public func create(resources: RuntimeSpec.Resources?) throws {
        switch layout {
        case .v2(let root):
            try enableV2Controllers(root: root)
            try FileIO.makeDirectories(root + "/" + path)
        case .v1(let controllers):
            for (name, mount) in controllers.sorted(by: { $0.key < $1.key }) {
                try FileIO.makeDirectories(mount + "/" + path)
                if name == "cpuset" { try inheritCpuset(mount: mount) }
                if name == "devices" { try restrictDevices(mount + "/" + path) }
            }
        }
        if let resources { try apply(resources) }
    }

    /// v2 only delegates a controller to children listed in the parent's cgroup.subtree_control.
    private func enableV2Controllers(root: String) throws {
        let available = ((try? FileIO.readString(root + "/cgroup.controllers")) ?? "").split(separator: " ").map { $0.filter { !$0.isNewline } }
        let wanted = ["cpu", "memory", "pids", "io", "cpuset"].filter { available.contains($0) }
        var dir = root
        for component in path.split(separator: "/").dropLast() {
            dir += "/" + component
            try FileIO.makeDirectories(dir)
            let control = dir + "/cgroup.subtree_control"
            let enabled = ((try? FileIO.readString(control)) ?? "").split(separator: " ").map { $0.filter { !$0.isNewline } }
            // One controller per write: the kernel rejects a whole write if one name fails.
            for c in wanted where !enabled.contains(c) { try? FileIO.write(control, "+" + c, flags: O_WRONLY | O_APPEND) }
        }
        let topControl = root + "/cgroup.subtree_control"
        for c in wanted { try? FileIO.write(topControl, "+" + c, flags: O_WRONLY | O_APPEND) }
    }

    /// A new v1 cpuset cgroup starts with empty cpus/mems and refuses tasks until they are copied down.
    private func inheritCpuset(mount: String) throws {
        var dir = mount
        for component in path.split(separator: "/") {
            let parent = dir
            dir += "/" + component
            for file in ["cpuset.cpus", "cpuset.mems"] {
                let current = ((try? FileIO.readString(dir + "/" + file)) ?? "").filter { !$0.isWhitespace }
                if current.isEmpty, let value = try? FileIO.readString(parent + "/" + file) {
                    try FileIO.write(dir + "/" + file, value, flags: O_WRONLY)
                }
            }
        }
    }

    /// The device nodes a container may open (runc's default allow list): with
    /// CAP_MKNOD it could otherwise make and read the host's disks.
    /// v1 only; on v2 this needs a BPF program (not done yet).
    public static let allowedDevices = [
        "c *:* m", "b *:* m",                     // mknod itself is harmless, opening is what counts
        "c 1:3 rwm", "c 1:5 rwm", "c 1:7 rwm",   // null, zero, full
        "c 1:8 rwm", "c 1:9 rwm",                // random, urandom
        "c 5:0 rwm", "c 5:1 rwm", "c 5:2 rwm",   // tty, console, ptmx
        "c 136:* rwm",                           // /dev/pts/*
        "c 10:200 rwm",                          // tun
    ]

    private func restrictDevices(_ dir: String) throws {
        try FileIO.write(dir + "/devices.deny", "a", flags: O_WRONLY)
        for rule in Self.allowedDevices { try FileIO.write(dir + "/devices.allow", rule, flags: O_WRONLY) }
    }

    public func apply(_ r: RuntimeSpec.Resources) throws {
        switch layout {
        case .v2(let root):
            let dir = root + "/" + path
            if let limit = r.memory?.limit { try FileIO.write(dir + "/memory.max", String(limit), flags: O_WRONLY | O_TRUNC) }
            if let quota = r.cpu?.quota {
                try FileIO.write(dir + "/cpu.max", "\(quota > 0 ? String(quota) : "max") \(r.cpu?.period ?? 100_000)", flags: O_WRONLY | O_TRUNC)
            }
            if let shares = r.cpu?.shares {
                // The conversion runc and crun use from v1 shares (2..262144) to v2 weight (1..10000).
                let weight = 1 + ((max(2, min(shares, 262_144)) - 2) * 9999) / 262_142
                try FileIO.write(dir + "/cpu.weight", String(weight), flags: O_WRONLY | O_TRUNC)
            }
            if let pids = r.pids?.limit { try FileIO.write(dir + "/pids.max", pids > 0 ? String(pids) : "max", flags: O_WRONLY | O_TRUNC) }
        case .v1(let controllers):
            if let limit = r.memory?.limit, let m = controllers["memory"] {
                try FileIO.write(m + "/" + path + "/memory.limit_in_bytes", String(limit), flags: O_WRONLY | O_TRUNC)
            }
            if let c = controllers["cpu"] {
                if let shares = r.cpu?.shares { try FileIO.write(c + "/" + path + "/cpu.shares", String(shares), flags: O_WRONLY | O_TRUNC) }
                if let period = r.cpu?.period { try FileIO.write(c + "/" + path + "/cpu.cfs_period_us", String(period), flags: O_WRONLY | O_TRUNC) }
                if let quota = r.cpu?.quota { try FileIO.write(c + "/" + path + "/cpu.cfs_quota_us", String(quota), flags: O_WRONLY | O_TRUNC) }
            }
            if let pids = r.pids?.limit, let p = controllers["pids"] {
                try FileIO.write(p + "/" + path + "/pids.max", pids > 0 ? String(pids) : "max", flags: O_WRONLY | O_TRUNC)
            }
        }
    }

    public func add(pid: pid_t) throws {
        for file in procsFiles {
            do { try FileIO.write(file, String(pid), flags: O_WRONLY) } catch {
                throw MinipodError(.runtime, "cannot move process \(pid) into cgroup \(file)", errno: (error as? MinipodError)?.errno)
            }
        }
    }

    public var pids: [pid_t] {
        var result = Set<pid_t>()
        for file in procsFiles {
            let text = (try? FileIO.readString(file)) ?? ""
            for line in text.split(separator: "\n") { if let p = pid_t(line) { result.insert(p) } }
        }
        return result.sorted()
    }

    /// SIGKILL everything inside, repeatedly, until the cgroup is empty (forks may race the first pass).
    public func killAll(timeout: Double = 5) {
        let deadline = Date().addingTimeInterval(timeout)
        if case .v2(let root) = layout, FileIO.exists(root + "/" + path + "/cgroup.kill") {
            try? FileIO.write(root + "/" + path + "/cgroup.kill", "1", flags: O_WRONLY)
        }
        while Date() < deadline {
            let current = pids
            if current.isEmpty { return }
            for p in current { kill(p, SIGKILL) }
            usleep(2000)
        }
    }

    /// Removes the cgroup directories, leaf first; the parents named in `upTo` levels are removed when empty.
    public func remove(parentLevels: Int = 0) {
        killAll()
        for dir in directories {
            var current = dir
            for level in 0...parentLevels {
                // Sub-cgroups (from a nested runtime in the container) go first.
                for name in (try? FileIO.listDirectory(current)) ?? [] where FileIO.isDirectory(current + "/" + name) && !name.contains(".") {
                    rmdir(current + "/" + name)
                }
                if rmdir(current) != 0 && level == 0 && errno != ENOENT { break }
                current = (current as NSString).deletingLastPathComponent
            }
        }
    }
}
