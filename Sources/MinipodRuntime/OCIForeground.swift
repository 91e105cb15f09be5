import CMinipod
import Foundation
import MinipodSystem

/// `run` and `exec` without --detach: stay until the process ends, pass
/// signals on to it (as runc does) and, with a terminal, copy between our
/// stdio and the pty master.
public enum OCIForeground {
    static let forwarded: [Int32] = [SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT]

    /// Waits for `pid` (our child) and returns its shell-style exit code.
    public static func wait(pid: pid_t, terminal: Int32?, forwardSignals: Bool) -> Int32 {
        let signals = try? FDPipe.make()
        if let signals {
            _ = fcntl(signals.write, F_SETFL, O_NONBLOCK)
            _ = mp_signal_pipe(signals.write)
            for sig in forwarded { _ = mp_signal_pipe_add(sig) }
        }
        let raw = terminal.map { RawMode(master: $0) }
        defer { raw?.restore() }
        var fds = [
            pollfd(fd: signals?.read ?? -1, events: Int16(POLLIN), revents: 0),
            pollfd(fd: terminal ?? -1, events: Int16(POLLIN), revents: 0),
            pollfd(fd: terminal == nil ? -1 : 0, events: Int16(POLLIN), revents: 0),
        ]
        var buf = [UInt8](repeating: 0, count: 32 * 1024)
        while true {
            do {
                if let status = try Spawn.wait(pid, options: WNOHANG) {
                    if let t = terminal { drain(t, &buf) }
                    return status.code
                }
            } catch {
                return 255  // not our child after all: nothing to wait for
            }
            if poll(&fds, 3, 200) < 0 && errno != EINTR { usleep(10_000) }
            if fds[0].revents != 0, let signals {
                let n = read(signals.read, &buf, buf.count)
                for sig in buf.prefix(max(n, 0)).map(Int32.init) where sig != SIGCHLD {
                    if sig == SIGWINCH, let t = terminal { copyWindowSize(to: t) } else if forwardSignals { kill(pid, sig) }
                }
            }
            if fds[1].revents != 0, let t = terminal {
                let n = read(t, &buf, buf.count)
                if n > 0 { _ = buf.withUnsafeBytes { FileIO.writeAll(1, UnsafeRawBufferPointer(rebasing: $0[0..<n])) } } else { fds[1].fd = -1 }
            }
            if fds[2].revents != 0, let t = terminal {
                let n = read(0, &buf, buf.count)
                if n > 0 { _ = buf.withUnsafeBytes { FileIO.writeAll(t, UnsafeRawBufferPointer(rebasing: $0[0..<n])) } } else { fds[2].fd = -1 }
            }
        }
    }

    private static func drain(_ master: Int32, _ buf: inout [UInt8]) {
        _ = fcntl(master, F_SETFL, O_NONBLOCK)
        while true {
            let n = read(master, &buf, buf.count)
            if n <= 0 { return }
            _ = buf.withUnsafeBytes { FileIO.writeAll(1, UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
    }

    static func copyWindowSize(to master: Int32) {
        var rows: UInt16 = 0
        var cols: UInt16 = 0
        if mp_get_winsize(0, &rows, &cols) == 0 { _ = mp_set_winsize(master, rows, cols) }
    }

    /// Our terminal in raw mode while a container's pty is attached, restored after.
    final class RawMode {
        private var saved = termios()
        private let active: Bool

        init(master: Int32) {
            active = isatty(0) == 1
            guard active else { return }
            tcgetattr(0, &saved)
            var raw = saved
            cfmakeraw(&raw)
            tcsetattr(0, TCSANOW, &raw)
            OCIForeground.copyWindowSize(to: master)
        }

        func restore() { if active { tcsetattr(0, TCSANOW, &saved) } }
    }
}
