import Glibc
import MinipodSystem

/// Moves this (single-threaded) process into the container's cgroup.
///
/// On v1, writing "0" to a hierarchy's `tasks` file moves just the calling
/// thread, and the kernel then skips its global cgroup_threadgroup_rwsem,
/// whose first writer after a quiet spell waits a whole RCU grace period
/// (10–20 ms here, per container start and per exec). minipod-init has one
/// thread, so the thread is the process. v2 has no such path: cgroup.procs
/// with our pid.
enum CgroupJoin {
    static func join(_ procsFiles: [String], container: String) throws {
        for procs in procsFiles {
            if procs.hasSuffix("/cgroup.procs") {
                let tasks = String(procs.dropLast("cgroup.procs".count)) + "tasks"
                if (try? FileIO.write(tasks, "0", flags: O_WRONLY)) != nil { continue }
            }
            do { try FileIO.write(procs, String(getpid()), flags: O_WRONLY) } catch {
                throw MinipodError(.runtime, "container \(container): cannot join cgroup \(procs)", errno: (error as? MinipodError)?.errno)
            }
        }
    }
}
