import CMinipod
import Foundation
import MinipodSystem

/// Host ends of runc's two side channels: exec.fifo and --console-socket.
public enum OCIPlumbing {
    /// `start`: opening the FIFO for reading releases init; its write end closing
    /// (CLOEXEC at execve) is EOF. Non-blocking, so a dead init is noticed instead of waited on forever.
    public static func releaseStart(fifo: String, pid: pid_t, id: String) throws {
        let fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        if fd < 0 { throw MinipodError.sys("container \(id): open exec fifo \(fifo)") }
        defer { close(fd) }
        var received = 0
        var buf = [UInt8](repeating: 0, count: 16)
        while true {
            var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
            _ = poll(&fds, 1, 50)
            let n = read(fd, &buf, buf.count)
            if n > 0 {
                received += n
                continue
            }
            // Before init opened its end, read also returns 0: only EOF after the byte means exec happened.
            if n == 0 && received > 0 { return }
            if n < 0 && errno != EAGAIN && errno != EINTR { throw MinipodError.sys("container \(id): read exec fifo") }
            if !Signals.isAlive(pid) {
                throw MinipodError(.runtime, "container \(id): init process \(pid) exited before start")
            }
        }
    }

    /// Connects to a --console-socket path (a listening AF_UNIX stream socket).
    public static func connectUnix(_ path: String, id: String) throws -> Int32 {
        do { return try UnixSocket.connect(to: path) } catch let error as MinipodError {
            throw MinipodError(.runtime, "container \(id): connect to console socket \(path)", errno: error.errno)
        }
    }

    /// Sends a pty master the way runc does (its name as the message, the fd as SCM_RIGHTS).
    public static func sendConsole(_ master: Int32, to socket: Int32, id: String) throws {
        let rc = Array("/dev/ptmx".utf8).withUnsafeBytes { mp_send_fd(socket, master, $0.baseAddress, $0.count) }
        if rc != 0 { throw MinipodError.sys("container \(id): send console to console socket") }
    }

    /// Receives a pty master sent by init (over our own console socketpair).
    public static func receiveConsole(_ socket: Int32, id: String) throws -> Int32 {
        var buf = [UInt8](repeating: 0, count: 256)
        var got = 0
        let fd = mp_recv_fd_swift(socket, &buf, &got)
        if fd < 0 { throw MinipodError(.runtime, "container \(id): no console received from init") }
        return fd
    }

    /// pid files are written whole or not at all: a reader never sees a partial number.
    public static func writePidFile(_ path: String, pid: pid_t) throws {
        let absolute = OCIBundle.absolute(path)
        try FileIO.writeAtomically(absolute, String(pid))
    }
}
