import CMinipod
import Glibc
import MinipodInitCore
import MinipodOCI
import MinipodSystem

/// exec mode: join a running container's cgroup and namespaces, then fork the
/// command (a pid namespace only applies to children) and wait for it, so the
/// caller sees its exit status as ours.
struct ExecInit {
    let config: InitConfig

    /// Joined in this order: the user namespace first (it grants the rights to join the
    /// others), the mount namespace last, because /proc/<pid> must still be the host's
    /// while the others are opened.
    static let order: [Sys.Namespaces] = [.user, .ipc, .uts, .net, .pid, .cgroup, .time, .mount]

    func run() throws {
        guard let target = config.targetPid, let process = config.spec.process, !process.args.isEmpty else {
            throw MinipodError(.runtime, "exec: missing target or command")
        }
        try CgroupJoin.join(config.cgroupProcs ?? [], container: config.name)
        // A container without a mount namespace of its own was only chroot'ed: so are we.
        let targetRoot = open("/proc/\(target)/root", MP_O_PATH | O_DIRECTORY | O_CLOEXEC)
        if targetRoot < 0 {
            if errno == ENOENT { throw MinipodError(.notFound, "container \(config.name) is not running") }
            throw MinipodError.sys("open /proc/\(target)/root")
        }
        defer { close(targetRoot) }
        var fds: [(Sys.Namespaces, Int32)] = []
        var sharesMountNamespace = false
        for ns in Self.order {
            let path = "/proc/\(target)/ns/\(ns.procName)"
            // Joining the namespace we are in is refused (user) or resets root and cwd (mount).
            if let theirs = namespaceID(path), theirs == namespaceID("/proc/self/ns/\(ns.procName)") {
                if ns == .mount { sharesMountNamespace = true }
                continue
            }
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            if fd < 0 {
                if errno == ENOENT && ns == .time { continue }  // a kernel without time namespaces
                if errno == ENOENT { throw MinipodError(.notFound, "container \(config.name) is not running") }
                throw MinipodError.sys("open \(path)")
            }
            fds.append((ns, fd))
        }
        guard Sys.threadCount() == 1 else {
            throw MinipodError(.internal, "minipod-init must be single-threaded to join a mount namespace")
        }
        for (ns, fd) in fds {
            try Sys.setns(fd: fd, ns, what: "of container \(config.name)")
            close(fd)
        }
        if sharesMountNamespace {
            guard fchdir(targetRoot) == 0, chroot(".") == 0, chdir("/") == 0 else {
                throw MinipodError.sys("chroot into the root of container \(config.name)")
            }
        }

        var master: Int32 = -1
        var slaveName = ""
        if process.terminal == true {
            master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)
            if master < 0 { throw MinipodError.sys("open /dev/ptmx in container \(config.name)") }
            var name = [CChar](repeating: 0, count: 128)
            if mp_pty_peer_name(master, &name, name.count) != 0 { throw MinipodError.sys("unlockpt/ptsname") }
            slaveName = String(cString: name)
            if mp_send_fd(syncFD, master, nil, 0) != 0 { throw MinipodError.sys("send terminal to caller") }
        }

        let launch = Launch(process: process, seccomp: seccompProgram, container: config.name, faultPoint: config.faultPoint)
        // Checked here, before the fork, so a missing command comes back to the caller as a report.
        try launch.prepare()
        let pid = mp_fork()
        if pid < 0 { throw MinipodError.sys("fork") }
        if pid == 0 {
            do {
                if master >= 0 {
                    close(master)
                    _ = setsid()
                    let slave = open(slaveName, O_RDWR)
                    if slave < 0 { throw MinipodError.sys("open \(slaveName)") }
                    _ = mp_set_ctty(slave)
                    dup2(slave, 0)
                    dup2(slave, 1)
                    dup2(slave, 2)
                    if slave > 2 { close(slave) }
                }
                try launch.exec()
            } catch {
                // The caller already has our "pid" report; the command's stderr is where this can still be seen.
                FileIO.writeAll(2, "\(error)\n")
                exit((error as? LaunchError)?.exitCode ?? 1)
            }
        }
        if master >= 0 { close(master) }
        report(InitReport(kind: .pid, pid: pid))
        // Pass the caller's signals on to the command, as `kubectl exec` does through the API server.
        let status = waitForChild(pid)
        exit(status.code)
    }

    /// The namespace a /proc/<pid>/ns link names ("net:[4026531992]"), nil when unreadable.
    private func namespaceID(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 64)
        let n = readlink(path, &buffer, buffer.count - 1)
        return n > 0 ? String(cString: buffer) : nil
    }

    private func waitForChild(_ pid: pid_t) -> ExitStatus {
        while true {
            if let status = try? Spawn.wait(pid) { return status }
        }
    }

}
