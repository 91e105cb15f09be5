import Glibc
import MinipodOCI
import MinipodSystem

/// A new time namespace: this process stays outside it, the program it execs enters
/// it (Linux 5.6+), and its clock offsets can be set only until the first process does.
struct TimeNamespace {
    let syscalls: any Syscalls

    func create(offsets: [String: RuntimeSpec.TimeOffset]) throws {
        guard syscalls.pathExists("/proc/self/ns/time") else {
            throw MinipodError(.runtime, "linux.namespaces: this kernel has no time namespaces (Linux 5.6 or later needed)")
        }
        try syscalls.unshare(.time)
        for (clock, offset) in offsets.sorted(by: { $0.key < $1.key }) {
            let line = "\(clock) \(offset.secs ?? 0) \(offset.nanosecs ?? 0)\n"
            do { try syscalls.writeKernelFile("/proc/self/timens_offsets", line, flags: O_WRONLY) } catch {
                throw MinipodError(.runtime, "linux.timeOffsets.\(clock): cannot set the offset", errno: (error as? MinipodError)?.errno)
            }
        }
    }
}
