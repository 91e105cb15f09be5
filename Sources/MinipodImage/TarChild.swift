import CMinipod
import Foundation
import MinipodSystem

/// `tar -x` reading a layer from a pipe that this process writes. Its stderr goes to an
/// unlinked scratch file, read only when it fails. A write to a tar that stopped reading
/// returns false (EPIPE), never kills the caller with SIGPIPE: the signal is blocked on
/// the writing thread while the child lives and a pending one is taken back at the end.
final class TarChild {
    private var pid: pid_t?
    private var input: Int32
    private let errorFD: Int32
    private var savedMask = sigset_t()

    init(arguments: [String], into directory: String, scratch: String) throws {
        let errorPath = scratch + "/tar-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).err"
        errorFD = open(errorPath, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        if errorFD < 0 { throw MinipodError.sys("open \(errorPath)") }
        unlink(errorPath)
        let pipe: FDPipe
        do { pipe = try FDPipe.make() } catch {
            close(errorFD)
            throw error
        }
        input = pipe.write
        // Fewer, larger hand-overs between the two processes; the default 64 KiB also works.
        _ = mp_set_pipe_size(pipe.write, 1 << 20)
        var request = SpawnRequest(
            path: "/bin/tar", arguments: ["tar"] + arguments + ["-x", "-f", "-", "-C", directory],
            environment: Environment.current())
        request.stdin = pipe.read
        request.stderr = errorFD
        defer { close(pipe.read) }
        do { pid = try Spawn.start(request) } catch {
            close(pipe.write)
            close(errorFD)
            throw error
        }
        var blockPipe = sigset_t()
        sigemptyset(&blockPipe)
        sigaddset(&blockPipe, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &blockPipe, &savedMask)
    }

    /// Hands tar the next bytes of the layer; false when tar no longer reads (it exited).
    func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
        input >= 0 && FileIO.writeAll(input, bytes)
    }

    /// Ends tar's input and waits for it: nil when it unpacked everything, else its complaint.
    func finish() -> String? {
        endInput()
        guard let child = pid else { return "tar was stopped" }
        pid = nil
        let status = (try? Spawn.wait(child)) ?? nil
        if status == .exited(0) { return nil }
        var message = [UInt8](repeating: 0, count: 300)
        let got = pread(errorFD, &message, message.count, 0)
        let text = String(decoding: message.prefix(max(0, got)), as: UTF8.self)
        return text.isEmpty ? "tar ended with \(status.map { "\($0)" } ?? "no status")" : text
    }

    /// Stops a tar whose output will be thrown away (the layer failed).
    func kill() {
        endInput()
        if let child = pid {
            Glibc.kill(child, SIGKILL)
            _ = try? Spawn.wait(child)
            pid = nil
        }
    }

    deinit {
        kill()
        close(errorFD)
    }

    private func endInput() {
        guard input >= 0 else { return }
        close(input)
        input = -1
        // A write after tar exited left SIGPIPE pending on this thread: take it, then unblock.
        var pending = sigset_t()
        sigpending(&pending)
        if sigismember(&pending, SIGPIPE) == 1 {
            var only = sigset_t()
            sigemptyset(&only)
            sigaddset(&only, SIGPIPE)
            var zero = timespec()
            _ = sigtimedwait(&only, nil, &zero)
        }
        pthread_sigmask(SIG_SETMASK, &savedMask, nil)
    }
}
