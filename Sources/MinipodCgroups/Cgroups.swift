import Foundation
import MinipodOCI
import MinipodSystem

/// The cgroup hierarchy layout of this host, detected per controller:
/// pure v2 (unified), or v1 with one mount per controller (a v1 "hybrid"
/// host may also have a cgroup2 mount that we leave alone).
public enum CgroupLayout: Equatable, Sendable {
    case v2(root: String)
    case v1(controllers: [String: String])  // controller name → hierarchy mount

    /// The v1 hierarchies minipod creates a cgroup in. hugetlb, net_cls, net_prio,
    /// perf_event and rdma are optional: used only where the host mounts them.
    public static let managedV1Controllers = [
        "cpu", "cpuacct", "memory", "pids", "cpuset", "freezer", "devices", "blkio",
        "hugetlb", "net_cls", "net_prio", "perf_event", "rdma",
    ]

    public static func detect(root: String = "/sys/fs/cgroup") -> CgroupLayout {
        if FileIO.exists(root + "/cgroup.controllers") { return .v2(root: root) }
        var controllers: [String: String] = [:]
        for name in managedV1Controllers {
            let dir = root + "/" + name
            // Co-mounted controllers ("cpu,cpuacct" with cpu and cpuacct symlinks) resolve to one directory.
            if FileIO.exists(dir + "/cgroup.procs") { controllers[name] = realPath(dir) ?? dir }
        }
        return .v1(controllers: controllers)
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// One cgroup (e.g. "minipod/<pod-uid>/<container>") across the hierarchies of the layout.
public struct Cgroup: Sendable {
    public let layout: CgroupLayout
    public let path: String
    /// How v2 device rules reach the kernel (an eBPF program); unit tests on a fake tree record the program instead.
    var attachDeviceFilter: @Sendable ([CgroupDeviceFilter.Instruction], String) throws -> Void = CgroupDeviceFilter.attach

    public init(layout: CgroupLayout, path: String) {
        self.layout = layout
        self.path = path.hasPrefix("/") ? String(path.dropFirst()) : path
    }

    public var directories: [String] {
        switch layout {
        case .v2(let root): return [root + "/" + path]
        case .v1(let controllers): return Set(controllers.values).sorted().map { $0 + "/" + path }
        }
    }

    public var procsFiles: [String] { directories.map { $0 + "/cgroup.procs" } }

    /// Makes the cgroup in every hierarchy and applies `resources`. Without
    /// device rules the container gets `Cgroup.defaultDeviceRules`.
    public func create(resources: RuntimeSpec.Resources?) throws {
        switch layout {
        case .v2(let root):
            try enableV2Controllers(root: root)
            try FileIO.makeDirectories(root + "/" + path)
        case .v1(let controllers):
            for mount in Set(controllers.values).sorted() { try FileIO.makeDirectories(mount + "/" + path) }
            if let mount = controllers["cpuset"] { try inheritCpuset(mount: mount) }
        }
        try apply(resources ?? RuntimeSpec.Resources())
    }

    /// v2 only delegates a controller to children listed in the parent's cgroup.subtree_control.
    private func enableV2Controllers(root: String) throws {
        let available = ((try? FileIO.readString(root + "/cgroup.controllers")) ?? "").split(separator: " ").map { $0.filter { !$0.isNewline } }
        let wanted = ["cpu", "memory", "pids", "io", "cpuset", "hugetlb", "rdma"].filter { available.contains($0) }
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

    /// Writes linux.resources into the cgroup's files (runc's fs and fs2 drivers).
    /// Values are checked first, so a bad one fails before anything is written.
    /// `skipDevices` leaves the device rules of a running container alone
    /// (runc's update cannot change them either).
    public func apply(_ resources: RuntimeSpec.Resources, skipDevices: Bool = false) throws {
        try CgroupResourceValidation.validate(resources)
        let devices = skipDevices ? nil : try DeviceCgroupRule.rules(from: resources.devices ?? Self.defaultDeviceRules)
        switch layout {
        case .v2(let root):
            try CgroupV2Resources(directory: root + "/" + path, attachDeviceFilter: attachDeviceFilter).apply(resources, devices: devices)
        case .v1(let controllers):
            try CgroupV1Resources(controllers: controllers, path: path).apply(resources, devices: devices)
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
        var thawed = false
        while Date() < deadline {
            let current = pids
            if current.isEmpty { return }
            for p in current { kill(p, SIGKILL) }
            // A paused container's tasks act on SIGKILL only once thawed.
            if !thawed {
                thawed = true
                if isFrozen { try? freeze(false) }
            }
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
