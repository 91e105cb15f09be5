import Glibc
import MinipodSystem

/// A mount of type "cgroup" (runc's default spec, podman, runtime-tools all ask
/// for one at /sys/fs/cgroup). On a v1 host one cgroupfs mount cannot hold
/// every controller (EBUSY), so, as runc does, a tmpfs gets one mount per
/// hierarchy the host has; on a pure v2 host it is a single cgroup2 mount.
/// Inside a cgroup namespace the kernel roots each at the container's cgroup.
struct CgroupMount {
    let syscalls: any Syscalls

    struct Hierarchy: Equatable {
        var name: String  // directory under /sys/fs/cgroup, e.g. "cpu,cpuacct"
        var options: String  // the superblock's options minus rw/ro, e.g. "cpu,cpuacct"
    }

    /// Reads the host's layout; call before pivot_root, while /proc is still the host's.
    static func hostHierarchies(mountinfo: String) -> (v2: Bool, v1: [Hierarchy]) {
        var v1: [Hierarchy] = []
        var v2 = false
        for line in mountinfo.split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            guard let dash = fields.firstIndex(of: "-"), fields.count > dash + 3, fields.count > 4 else { continue }
            let mountPoint = fields[4]
            let fsType = fields[dash + 1]
            if fsType == "cgroup2" && mountPoint == "/sys/fs/cgroup" { v2 = true }
            if fsType == "cgroup" && mountPoint.hasPrefix("/sys/fs/cgroup/") {
                let options = fields[dash + 3].split(separator: ",").filter { $0 != "rw" && $0 != "ro" }.joined(separator: ",")
                v1.append(Hierarchy(name: String(mountPoint.dropFirst("/sys/fs/cgroup/".count)), options: options))
            }
        }
        return (v2, v1)
    }

    func mount(on target: String, flags: Sys.MountFlags) throws {
        let layout = Self.hostHierarchies(mountinfo: (try? syscalls.readKernelFile("/proc/self/mountinfo")) ?? "")
        if layout.v2 || layout.v1.isEmpty {
            try syscalls.mount(source: "cgroup", target: target, type: "cgroup2", flags: flags, data: nil)
            return
        }
        let perMount = flags.subtracting(.readOnly)
        try syscalls.mount(source: "tmpfs", target: target, type: "tmpfs", flags: perMount, data: "mode=755")
        for h in layout.v1 {
            let dir = target + "/" + h.name
            try syscalls.makeDirectories(dir)
            try syscalls.mount(source: "cgroup", target: dir, type: "cgroup", flags: flags, data: h.options)
            // "cpu,cpuacct" is also reachable as cpu and cpuacct, as on the host.
            if h.name.contains(",") {
                for alias in h.name.split(separator: ",") where !syscalls.pathExists(target + "/" + alias) {
                    try? syscalls.makeSymlink(to: h.name, at: target + "/" + alias)
                }
            }
        }
        if flags.contains(.readOnly) {
            try syscalls.mount(source: nil, target: target, type: nil, flags: perMount.union([.remount, .readOnly]), data: nil)
        }
    }
}
