import CMinipod
import Foundation
import MinipodSystem

/// Connects the local terminal to a pty master: raw mode (restored on every
/// exit path we control), both directions copied, window size forwarded.
final class TerminalSession {
    let master: Int32
    let forwardInput: Bool

    init(master: Int32, forwardInput: Bool) {
        self.master = master
        self.forwardInput = forwardInput
    }

    func run(until pid: pid_t) {
        let terminal = RawTerminal()
        if terminal != nil { copyWindowSize() }
        defer { terminal?.restore() }
        let signals = RawTerminal.signalPipe()
        var fds = [
            pollfd(fd: master, events: Int16(POLLIN), revents: 0),
            pollfd(fd: forwardInput ? 0 : -1, events: Int16(POLLIN), revents: 0),
            pollfd(fd: signals?.read ?? -1, events: Int16(POLLIN), revents: 0),
        ]
        var buf = [UInt8](repeating: 0, count: 32 * 1024)
        while true {
            if poll(&fds, 3, -1) < 0 {
                if errno == EINTR { continue }
                break
            }
            if fds[0].revents != 0 {
                let n = read(master, &buf, buf.count)
                if n <= 0 { break }  // EIO: the last process holding the pty is gone
                _ = buf.withUnsafeBytes { FileIO.writeAll(1, UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            }
            if fds[1].revents != 0 {
                let n = read(0, &buf, buf.count)
                if n <= 0 {
                    fds[1].fd = -1
                    var eof: UInt8 = 4  // Ctrl-D: end of input for the program on the pty
                    _ = write(master, &eof, 1)
                } else {
                    _ = buf.withUnsafeBytes { FileIO.writeAll(master, UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                }
            }
            if fds[2].revents != 0, let signals {
                var sig = [UInt8](repeating: 0, count: 16)
                let n = read(signals.read, &sig, sig.count)
                if n > 0 && sig[0..<n].contains(UInt8(SIGWINCH)) { copyWindowSize() }
                if n > 0 && sig[0..<n].contains(where: { Int32($0) == SIGTERM || Int32($0) == SIGHUP }) {
                    kill(pid, SIGKILL)
                    break
                }
            }
        }
    }

    private func copyWindowSize() {
        if let (rows, cols) = RawTerminal.windowSize() { _ = mp_set_winsize(master, rows, cols) }
    }
}

/// The local terminal (fd 0) in raw mode for an interactive session; `restore`
/// puts the saved settings back. nil when stdin is not a terminal.
struct RawTerminal {
    private let saved: termios

    init?() {
        guard isatty(0) == 1 else { return nil }
        var settings = termios()
        tcgetattr(0, &settings)
        saved = settings
        cfmakeraw(&settings)
        tcsetattr(0, TCSANOW, &settings)
    }

    func restore() {
        var settings = saved
        tcsetattr(0, TCSANOW, &settings)
    }

    static func windowSize() -> (rows: UInt16, cols: UInt16)? {
        var rows: UInt16 = 0
        var cols: UInt16 = 0
        return mp_get_winsize(0, &rows, &cols) == 0 ? (rows, cols) : nil
    }

    /// SIGWINCH, SIGTERM, SIGHUP (and SIGINT) delivered as bytes on a pipe, for a poll loop.
    static func signalPipe() -> FDPipe? {
        guard let signals = try? FDPipe.make() else { return nil }
        _ = fcntl(signals.write, F_SETFL, O_NONBLOCK)
        _ = mp_signal_pipe(signals.write)
        _ = mp_signal_pipe_add(SIGWINCH)
        return signals
    }
}
