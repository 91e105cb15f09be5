import CMinipod
import Glibc
import MinipodSystem

extension LinuxSyscalls {
    public func namespaceID(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 64)
        let n = readlink(path, &buffer, buffer.count - 1)
        return n > 0 ? String(cString: buffer) : nil
    }

    public func openProcEntry(_ path: String, directory: Bool) throws -> Int32? {
        let fd = open(path, directory ? MP_O_PATH | O_DIRECTORY | O_CLOEXEC : O_RDONLY | O_CLOEXEC)
        if fd >= 0 { return fd }
        if errno == ENOENT { return nil }
        throw MinipodError.sys("open \(path)")
    }

    public func closeDescriptor(_ fd: Int32) { close(fd) }

    public func threadCount() -> Int { Sys.threadCount() }

    public func setns(_ fd: Int32, _ namespace: Sys.Namespaces, container: String) throws {
        try Sys.setns(fd: fd, namespace, what: "of container \(container)")
    }

    public func chrootInto(_ directory: Int32, container: String) throws {
        guard fchdir(directory) == 0, Glibc.chroot(".") == 0, Glibc.chdir("/") == 0 else {
            throw MinipodError.sys("chroot into the root of container \(container)")
        }
    }

    public func openTerminal(container: String) throws -> (master: Int32, peer: String) {
        let master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)
        if master < 0 { throw MinipodError.sys("open /dev/ptmx in container \(container)") }
        var name = [CChar](repeating: 0, count: 128)
        if mp_pty_peer_name(master, &name, name.count) != 0 {
            let e = errno
            close(master)
            throw MinipodError.sys("unlockpt/ptsname", errno: e)
        }
        return (master, String(cString: name))
    }

    public func sendDescriptor(_ fd: Int32, over socket: Int32) throws {
        if mp_send_fd(socket, fd, nil, 0) != 0 { throw MinipodError.sys("send terminal to caller") }
    }

    public func forkForwarding(_ signals: [Int32]) throws -> pid_t {
        let pid = signals.withUnsafeBufferPointer { mp_fork_forwarding($0.baseAddress, Int32($0.count)) }
        if pid < 0 { throw MinipodError.sys("fork") }
        return pid
    }

    public func becomeTerminalSession(_ peer: String) throws {
        _ = setsid()
        let fd = open(peer, O_RDWR)
        if fd < 0 { throw MinipodError.sys("open \(peer)") }
        _ = mp_set_ctty(fd)
        for stdio: Int32 in 0...2 { dup2(fd, stdio) }
        if fd > 2 { close(fd) }
    }

    public func waitForExit(_ pid: pid_t) throws -> ExitStatus {
        // Spawn.wait retries EINTR (a forwarded signal interrupts the wait).
        guard let status = try Spawn.wait(pid) else { throw MinipodError(.internal, "waitpid \(pid) returned no status") }
        return status
    }
}
