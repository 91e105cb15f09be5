import Foundation
import MinipodPod
import MinipodSystem

/// `kubectl attach` (and `kubectl run -it`) through the API: the container's own
/// stdio, which its supervisor holds, reached over supervisor.sock as `minipod
/// attach` reaches it (AttachProtocol frames). Output is copied on a thread until
/// the container's streams end; input, its end and resizes become frames.
final class AttachSession: @unchecked Sendable {
    let request: ExecRequest
    let paths: PodPaths
    private let output: (ExecSession.Stream, ArraySlice<UInt8>) -> Bool
    private let finished: (ExecResult) -> Void
    var consumed: (Int) -> Void = { _ in }
    /// Frames to the supervisor, in order, off the event loop.
    private let outgoing = DispatchQueue(label: "attach-input")
    private let lock = NSLock()
    private var socket: Int32 = -1
    private var gone = false

    init(
        request: ExecRequest, paths: PodPaths, output: @escaping (ExecSession.Stream, ArraySlice<UInt8>) -> Bool,
        finished: @escaping (ExecResult) -> Void
    ) {
        self.request = request
        self.paths = paths
        self.output = output
        self.finished = finished
    }

    /// Connects on the queue the input goes through, so input that arrives meanwhile
    /// waits behind it instead of finding no socket; output is copied on a thread.
    func start() {
        outgoing.async { [self] in
            do {
                let (fd, tty) = try connect()
                Thread { self.pump(fd, tty: tty) }.start()
            } catch {
                finished(.failure("\(error)"))
            }
        }
    }

    private func connect() throws -> (Int32, Bool) {
        let fd = try UnixSocket.connect(to: paths.supervisorSocket(request.key))
        guard AttachProtocol.writeLine(AttachProtocol.Request(container: request.container, stdin: request.stdin), to: fd),
            let response = AttachProtocol.readLine(AttachProtocol.Response.self, from: fd)
        else {
            close(fd)
            throw MinipodError(.runtime, "unable to attach to container \(request.container): its supervisor closed the connection")
        }
        if let error = response.error {
            close(fd)
            throw MinipodError(.invalidArgument, error)
        }
        lock.lock()
        socket = fd
        let leave = gone
        lock.unlock()
        if leave { shutdown(fd, Int32(SHUT_RDWR)) }
        return (fd, response.tty)
    }

    /// Until the container's output ends (it exited) or the client went.
    private func pump(_ fd: Int32, tty: Bool) {
        while let (kind, payload) = AttachProtocol.readFrame(fd) {
            let stream: ExecSession.Stream = kind == .stderr && !tty ? .stderr : .stdout
            if !output(stream, payload[...]) { break }
        }
        outgoing.sync {
            lock.lock()
            socket = -1
            lock.unlock()
            close(fd)
        }
        finished(.success)
    }

    private func send(_ frame: [UInt8], then: @escaping () -> Void = {}) {
        outgoing.async { [self] in
            lock.lock()
            let fd = socket
            lock.unlock()
            if fd >= 0 { _ = frame.withUnsafeBytes { FileIO.writeAll(fd, $0) } }
            then()
        }
    }

    func write(_ bytes: [UInt8]) {
        let consumed = consumed
        send(bytes.withUnsafeBytes { AttachProtocol.frame(.stdin, $0) }) { consumed(bytes.count) }
    }

    func closeInput() { send([UInt8]().withUnsafeBytes { AttachProtocol.frame(.stdinEOF, $0) }) }

    func resize(json: [UInt8]) {
        guard let size = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any],
            let width = size["Width"] as? Int, let height = size["Height"] as? Int
        else { return }
        send(AttachProtocol.resizeFrame(rows: UInt16(clamping: height), cols: UInt16(clamping: width)))
    }

    /// The container goes on (attach never stops it): only our connection ends.
    func clientGone() {
        lock.lock()
        gone = true
        let fd = socket
        lock.unlock()
        if fd >= 0 { shutdown(fd, Int32(SHUT_RDWR)) }
    }
}

extension AttachSession: StreamSession {}
