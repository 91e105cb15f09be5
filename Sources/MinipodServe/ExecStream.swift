import CMinipod
import Foundation
import MinipodAPIModel
import MinipodKube
import MinipodPod
import MinipodRuntime
import MinipodSystem
import NIOCore
import NIOWebSocket

/// `kubectl exec` and `attach` over WebSocket (the v5 and v4 channel protocols,
/// kubectl 1.30+): every binary message starts with its channel, 0 stdin, 1 stdout,
/// 2 stderr, 3 the final Status, 4 a terminal resize, 255 a stream closed (v5).
/// The command runs as `minipod exec` runs it (PodExec); a thread copies its output
/// into messages, and its exit code goes back as the Status kubectl exits with.
final class ExecWebSocketHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    struct Request {
        let key: String
        let container: String
        let command: [String]
        let stdin: Bool
        let stdout: Bool
        let stderr: Bool
        let tty: Bool
    }

    let request: Request
    let paths: PodPaths
    private var process: PodExec.Process?
    /// The command's stdin (or terminal) while the client may still write to it.
    private var inputFD: Int32?
    /// What the client sent before the command was started, and whether it closed stdin meanwhile.
    private var pendingInput: [[UInt8]] = []
    private var inputClosedEarly = false
    private var clientGone = false
    private var pendingResize: [UInt8]?
    private let input = DispatchQueue(label: "exec-stdin")
    private var channel: Channel?

    init(request: Request, paths: PodPaths) {
        self.request = request
        self.paths = paths
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        self.channel = channel
        // Starting the command blocks (spawn, init's reports): off the event loop, as is the copying.
        let thread = Thread { [self] in
            do {
                let process = try PodExec(paths: paths).startProcess(
                    key: request.key, container: request.container, command: request.command,
                    stdin: request.stdin, stdout: request.stdout, stderr: request.stderr, tty: request.tty)
                channel.eventLoop.execute {
                    self.process = process
                    self.inputFD = process.stdin ?? process.terminal
                    self.pendingInput.forEach(self.write)
                    self.pendingInput = []
                    if self.inputClosedEarly { self.closeInput() }
                    if self.clientGone { kill(process.pid, SIGKILL) }
                    if let size = self.pendingResize { self.resize(size) }
                }
                pump(process, channel)
            } catch let failure as ExecFailure {
                // What `minipod exec` prints (the command not found, not executable): on stderr, then the code.
                send(channel, stream: request.tty ? 1 : 2, bytes: ArraySlice(Array((failure.message + "\n").utf8)))
                finish(channel, status: Self.status(exitCode: failure.exitCode, message: failure.message))
            } catch {
                finish(channel, status: Self.failure("\(error)"))
            }
        }
        thread.start()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, data: frame.data)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            closeInput()
            context.close(promise: nil)
        case .binary, .text:
            var data = frame.unmaskedData
            guard let stream = data.readInteger(as: UInt8.self) else { return }
            let bytes = data.readBytes(length: data.readableBytes) ?? []
            switch stream {
            case 0: write(bytes)
            case 4: resize(bytes)
            case 255 where bytes.first == 0: closeInput()
            default: break
            }
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        // The client went: the command goes too, as on a cluster.
        clientGone = true
        if let pid = process?.pid { kill(pid, SIGKILL) }
        closeInput()
    }

    private func write(_ bytes: [UInt8]) {
        if process == nil {
            pendingInput.append(bytes)
            return
        }
        guard let fd = inputFD else { return }
        input.async { _ = bytes.withUnsafeBytes { FileIO.writeAll(fd, $0) } }
    }

    private func closeInput() {
        if process == nil {
            inputClosedEarly = true
            return
        }
        // A terminal is closed with the command; a pipe's end tells the command its input is over.
        guard let fd = inputFD, fd == process?.stdin else { return }
        inputFD = nil
        input.async { close(fd) }
    }

    private func resize(_ bytes: [UInt8]) {
        if process == nil {
            pendingResize = bytes  // kubectl sends the size first thing, before the command runs
            return
        }
        guard let terminal = process?.terminal,
            let size = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
            let width = size["Width"] as? Int, let height = size["Height"] as? Int
        else { return }
        _ = mp_set_winsize(terminal, UInt16(clamping: height), UInt16(clamping: width))
    }

    /// Copies stdout and stderr (or the terminal) into messages until both end, then the exit code.
    private func pump(_ process: PodExec.Process, _ channel: Channel) {
        var sources: [(fd: Int32, stream: UInt8)] = []
        if let t = process.terminal { sources.append((t, 1)) }
        if let o = process.stdout { sources.append((o, 1)) }
        if let e = process.stderr { sources.append((e, 2)) }
        var buffer = [UInt8](repeating: 0, count: 32 * 1024)
        while !sources.isEmpty {
            var fds = sources.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            if poll(&fds, nfds_t(fds.count), -1) < 0 { if errno == EINTR { continue } else { break } }
            var ended: [Int32] = []
            for (i, entry) in fds.enumerated() where entry.revents != 0 {
                let n = read(entry.fd, &buffer, buffer.count)
                if n <= 0 {
                    ended.append(entry.fd)
                    continue
                }
                send(channel, stream: sources[i].stream, bytes: buffer[0..<n])
            }
            for fd in ended where fd != process.terminal { close(fd) }
            sources.removeAll { ended.contains($0.fd) }
        }
        let status = (try? Spawn.wait(process.pid)) ?? nil
        if let t = process.terminal { close(t) }
        let code = status?.code ?? 1
        finish(
            channel,
            status: code == 0 ? Self.success : Self.status(exitCode: code, message: "command terminated with non-zero exit code: exit status \(code)")
        )
    }

    private func send(_ channel: Channel, stream: UInt8, bytes: ArraySlice<UInt8>) {
        var buffer = channel.allocator.buffer(capacity: bytes.count + 1)
        buffer.writeInteger(stream)
        buffer.writeBytes(bytes)
        // Waiting keeps a fast writer from outrunning the client.
        _ = try? channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .binary, data: buffer)).wait()
    }

    private func finish(_ channel: Channel, status: [String: Any]) {
        var data = (try? JSONSerialization.data(withJSONObject: status)) ?? Data()
        data.insert(3, at: 0)
        send(channel, stream: data[0], bytes: ArraySlice(data.dropFirst()))
        var close = channel.allocator.buffer(capacity: 2)
        close.write(webSocketErrorCode: .normalClosure)
        channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .connectionClose, data: close)).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    static let success: [String: Any] = ["metadata": [String: Any](), "status": "Success"]

    /// What the API server sends for a command that exited non-zero; kubectl exits with the code.
    static func status(exitCode: Int32, message: String) -> [String: Any] {
        [
            "metadata": [String: Any](), "status": "Failure", "message": message, "reason": "NonZeroExitCode",
            "details": ["causes": [["reason": "ExitCode", "message": String(exitCode)]]],
        ]
    }

    static func failure(_ message: String) -> [String: Any] {
        ["metadata": [String: Any](), "status": "Failure", "message": message, "reason": "InternalError", "code": 500]
    }
}
