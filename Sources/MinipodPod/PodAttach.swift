import Foundation
import MinipodKube
import MinipodSystem

/// `minipod attach`: connects to the pod's supervisor (which holds the
/// container's stdio) and streams the container's output here, and with `-i`
/// this terminal's input there, until the container's output ends or we are
/// interrupted.
public struct PodAttach {
    public let paths: PodPaths
    public let store: PodStore

    public init(paths: PodPaths) {
        self.paths = paths
        self.store = PodStore(paths: paths)
    }

    /// notice: kubectl's stderr remarks ("Unable to use a TTY ...", "If you don't see a command prompt ...").
    public func run(pod: Pod, key: String, container: String, stdin: Bool, tty: Bool, notice: (String) -> Void) throws {
        let running = (pod.status?.containerStatuses ?? []) + (pod.status?.initContainerStatuses ?? [])
        guard running.first(where: { $0.name == container })?.state.running != nil else {
            throw MinipodError(.invalidArgument, "cannot attach to container \(container) in pod \(pod.metadata.name): the container is not running")
        }
        let socket: Int32
        do { socket = try UnixSocket.connect(to: paths.supervisorSocket(key)) } catch {
            throw MinipodError(.runtime, "cannot attach to pod \(pod.metadata.name): its supervisor does not answer (\(error))")
        }
        defer { close(socket) }
        guard AttachProtocol.writeLine(AttachProtocol.Request(container: container, stdin: stdin), to: socket),
            let response = AttachProtocol.readLine(AttachProtocol.Response.self, from: socket)
        else {
            throw MinipodError(.runtime, "cannot attach to pod \(pod.metadata.name): the supervisor closed the connection")
        }
        if let error = response.error { throw MinipodError(.invalidArgument, error) }
        // kubectl's rules: -t on a container without a terminal is dropped with a remark; a container with one gets a terminal anyway.
        if tty && !response.tty { notice("error: Unable to use a TTY - container \(container) did not allocate one") }
        let terminal = response.tty && stdin ? RawTerminal() : nil
        if terminal != nil { notice("If you don't see a command prompt, try pressing enter.") }
        stream(socket, forwardInput: response.stdin, resize: terminal != nil)
        terminal?.restore()
        if terminal != nil && (pod.spec.restartPolicy ?? "Always") == "Always" {
            print("Session ended, resume using 'minipod attach \(pod.metadata.name) -c \(container) -i -t' command when the pod is running")
        }
    }

    private func stream(_ socket: Int32, forwardInput: Bool, resize: Bool) {
        let signals = RawTerminal.signalPipe()
        func sendResize() {
            guard resize, let (rows, cols) = RawTerminal.windowSize() else { return }
            _ = AttachProtocol.resizeFrame(rows: rows, cols: cols).withUnsafeBytes { FileIO.writeAll(socket, $0) }
        }
        sendResize()
        var fds = [
            pollfd(fd: socket, events: Int16(POLLIN), revents: 0),
            pollfd(fd: forwardInput ? 0 : -1, events: Int16(POLLIN), revents: 0),
            pollfd(fd: signals?.read ?? -1, events: Int16(POLLIN), revents: 0),
        ]
        var buf = [UInt8](repeating: 0, count: 32 * 1024)
        while true {
            if poll(&fds, 3, -1) < 0 {
                if errno == EINTR { continue }
                return
            }
            if fds[0].revents != 0 {
                guard let (kind, payload) = AttachProtocol.readFrame(socket) else { return }
                payload.withUnsafeBytes { _ = FileIO.writeAll(kind == .stderr ? 2 : 1, $0) }
            }
            if fds[1].revents != 0 {
                let n = read(0, &buf, buf.count)
                let frame =
                    n > 0
                    ? buf.withUnsafeBytes { AttachProtocol.frame(.stdin, UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                    : [UInt8]().withUnsafeBytes { AttachProtocol.frame(.stdinEOF, $0) }
                if n <= 0 { fds[1].fd = -1 }
                if !frame.withUnsafeBytes({ FileIO.writeAll(socket, $0) }) { return }
            }
            if fds[2].revents != 0, let signals {
                var sig = [UInt8](repeating: 0, count: 16)
                let n = read(signals.read, &sig, sig.count)
                if n > 0 && sig[0..<n].contains(UInt8(SIGWINCH)) { sendResize() }
                if n > 0 && sig[0..<n].contains(where: { [SIGTERM, SIGHUP, SIGINT].contains(Int32($0)) }) { return }
            }
        }
    }
}
