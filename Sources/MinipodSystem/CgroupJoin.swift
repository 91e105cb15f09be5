#if canImport(Glibc)
    import Glibc
#endif

/// Moves a single-threaded process into a container's cgroup.
///
/// On v1, writing a thread id (or "0": the calling thread) to a hierarchy's `tasks`
/// file moves just that thread, and the kernel then skips its global
/// cgroup_threadgroup_rwsem, whose first writer after a quiet spell waits a whole
/// RCU grace period (10–20 ms here, per container start and per exec). minipod-init
/// has one thread while it is moved, so the thread is the process. v2 has no such
/// path: cgroup.procs with the pid.
public enum CgroupJoin {
    /// pid nil: the calling process (minipod-init joining by itself).
    public static func join(_ procsFiles: [String], pid: pid_t? = nil, container: String) throws {
        for procs in procsFiles {
            if procs.hasSuffix("/cgroup.procs") {
                let tasks = String(procs.dropLast("cgroup.procs".count)) + "tasks"
                if (try? FileIO.write(tasks, pid.map(String.init) ?? "0", flags: O_WRONLY)) != nil { continue }
            }
            do { try FileIO.write(procs, String(pid ?? getpid()), flags: O_WRONLY) } catch {
                throw MinipodError(.runtime, "container \(container): cannot join cgroup \(procs)", errno: (error as? MinipodError)?.errno)
            }
        }
    }
}
