import CMinipod
import Foundation
import MinipodPod
import MinipodRuntime
import MinipodSystem
import NIOCore

/// What an API exec needs from the request, whatever carries its streams.
struct ExecRequest {
    let key: String
    let container: String
    let command: [String]
    let stdin: Bool
    let stdout: Bool
    let stderr: Bool
    let tty: Bool
    /// `kubectl attach`: the container's own stdio instead of a new command.
    var attach = false
}

/// The transport-independent half of `kubectl exec` through the API (WebSocket channels
/// or SPDY streams): starts the command as `minipod exec` does (PodExec.startProcess) on
/// a thread, holds input and a resize that arrive before it runs, copies its output to
/// `output` until both streams end, then reports how it ended. Calls from the transport
/// (`write`, `closeInput`, `resize`, `clientGone`) happen on the channel's event loop;
/// `output` and `finished` are called on the copying thread and may block (backpressure);
/// `output` returns false once the client is gone, and the copying stops: the command's
/// next write then fails (SIGPIPE), as it would with its reader gone.
final class ExecSession: @unchecked Sendable {
    enum Stream { case stdout, stderr }

    let request: ExecRequest
    let paths: PodPaths
    let loop: EventLoop
    private let output: (Stream, ArraySlice<UInt8>) -> Bool
    private let finished: (ExecResult) -> Void
    /// Called once input bytes reached the command, so a transport can grant more.
    var consumed: (Int) -> Void = { _ in }

    private var process: PodExec.Process?
    private var inputFD: Int32?
    private var pendingInput: [[UInt8]] = []
    private var inputClosedEarly = false
    private var gone = false
    private var pendingResize: (width: Int, height: Int)?
    private let input = DispatchQueue(label: "exec-stdin")

    init(
        request: ExecRequest, paths: PodPaths, loop: EventLoop, output: @escaping (Stream, ArraySlice<UInt8>) -> Bool,
        finished: @escaping (ExecResult) -> Void
    ) {
        self.request = request
        self.paths = paths
        self.loop = loop
        self.output = output
        self.finished = finished
    }

    /// Starting the command blocks (spawn, init's reports): off the event loop, as is the copying.
    func start() {
        let thread = Thread { [self] in
            do {
                let process = try PodExec(paths: paths).startProcess(
                    key: request.key, container: request.container, command: request.command,
                    stdin: request.stdin, stdout: request.stdout, stderr: request.stderr, tty: request.tty)
                loop.execute { self.started(process) }
                pump(process)
            } catch let failure as ExecFailure {
                // What `minipod exec` prints (the command not found, not executable): on stderr, then the code.
                _ = output(request.tty ? .stdout : .stderr, ArraySlice(Array((failure.message + "\n").utf8)))
                finished(.exitCode(failure.exitCode, message: failure.message))
            } catch {
                finished(.failure("\(error)"))
            }
        }
        thread.start()
    }

    private func started(_ process: PodExec.Process) {
        self.process = process
        inputFD = process.stdin ?? process.terminal
        pendingInput.forEach(write)
        pendingInput = []
        if inputClosedEarly { closeInput() }
        if gone { Self.killTree(process.pid) }
        if let size = pendingResize { resize(width: size.width, height: size.height) }
    }

    func write(_ bytes: [UInt8]) {
        guard process != nil else {
            pendingInput.append(bytes)
            return
        }
        guard let fd = inputFD else {
            consumed(bytes.count)
            return
        }
        let consumed = consumed
        input.async {
            _ = bytes.withUnsafeBytes { FileIO.writeAll(fd, $0) }
            consumed(bytes.count)
        }
    }

    func closeInput() {
        guard process != nil else {
            inputClosedEarly = true
            return
        }
        // A terminal is closed with the command; a pipe's end tells the command its input is over.
        guard let fd = inputFD, fd == process?.stdin else { return }
        inputFD = nil
        input.async { close(fd) }
    }

    /// kubectl's `{"Width":…,"Height":…}`; it sends the first before the command runs.
    func resize(json: [UInt8]) {
        guard let size = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any],
            let width = size["Width"] as? Int, let height = size["Height"] as? Int
        else { return }
        resize(width: width, height: height)
    }

    private func resize(width: Int, height: Int) {
        guard let terminal = process?.terminal else {
            pendingResize = (width, height)
            return
        }
        _ = mp_set_winsize(terminal, UInt16(clamping: height), UInt16(clamping: width))
    }

    /// The client went: the command goes too. Its process (minipod-init's child, in the
    /// container's pid namespace) would outlive init, so the whole tree is killed.
    func clientGone() {
        gone = true
        if let pid = process?.pid { Self.killTree(pid) }
        closeInput()
    }

    static func killTree(_ pid: pid_t) {
        kill(pid, SIGSTOP)  // no new children while the tree is read
        let children = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
        for child in children.split(separator: " ").compactMap({ pid_t($0) }) { killTree(child) }
        kill(pid, SIGKILL)
    }

    /// Copies stdout and stderr (or the terminal) until both end, then reports the exit code.
    private func pump(_ process: PodExec.Process) {
        var sources: [(fd: Int32, stream: Stream)] = []
        if let t = process.terminal { sources.append((t, .stdout)) }
        if let o = process.stdout { sources.append((o, .stdout)) }
        if let e = process.stderr { sources.append((e, .stderr)) }
        var buffer = [UInt8](repeating: 0, count: 32 * 1024)
        var clientGone = false
        while !sources.isEmpty && !clientGone {
            var fds = sources.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            if poll(&fds, nfds_t(fds.count), -1) < 0 { if errno == EINTR { continue } else { break } }
            var ended: [Int32] = []
            for (i, entry) in fds.enumerated() where entry.revents != 0 {
                let n = read(entry.fd, &buffer, buffer.count)
                if n <= 0 {
                    ended.append(entry.fd)
                    continue
                }
                if !output(sources[i].stream, buffer[0..<n]) { clientGone = true }
            }
            for fd in ended where fd != process.terminal { close(fd) }
            sources.removeAll { ended.contains($0.fd) }
        }
        for source in sources where source.fd != process.terminal { close(source.fd) }
        let status = (try? Spawn.wait(process.pid)) ?? nil
        if let t = process.terminal { close(t) }
        let code = status?.code ?? 1
        finished(code == 0 ? .success : .exitCode(code, message: "command terminated with non-zero exit code: exit status \(code)"))
    }
}
