import Foundation
import MinipodSystem

/// Moving a process into a cgroup (a write to cgroup.procs) takes the kernel's
/// global cgroup_threadgroup_rwsem for writing; the first such write after a
/// quiet spell waits a whole RCU grace period (10–15 ms measured here, per
/// container start and per exec). Re-joining the cgroup we are already in is a
/// no-op move that starts that wait at once, on a thread, so it runs while we
/// decode specs and start minipod-init instead of after; the real move a few
/// milliseconds later then finds the lock already switched. Only needed on v2:
/// on v1 minipod-init moves its one thread through `tasks`, which skips the
/// lock altogether (minipod-init's CgroupJoin).
public enum CgroupMigrationLock {
    public static func prime(layout: CgroupLayout = CgroupLayout.detect()) {
        guard let procs = ownProcsFile(layout: layout) else { return }
        let pid = String(getpid())
        let thread = Thread { try? FileIO.write(procs, pid, flags: O_WRONLY) }
        thread.stackSize = 64 * 1024
        thread.start()
    }

    /// cgroup.procs of this process's own cgroup in one hierarchy.
    static func ownProcsFile(layout: CgroupLayout) -> String? {
        guard let lines = try? FileIO.readString("/proc/self/cgroup") else { return nil }
        for line in lines.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            switch layout {
            case .v2(let root):
                if fields[0] == "0" && fields[1].isEmpty { return root + fields[2] + "/cgroup.procs" }
            case .v1(let controllers):
                for name in fields[1].split(separator: ",") {
                    if let mount = controllers[String(name)] { return mount + fields[2] + "/cgroup.procs" }
                }
            }
        }
        return nil
    }
}
