import Foundation
import MinipodNet
import MinipodSPDY
import MinipodSystem

/// One forwarded connection: a socket connected inside the pod's network namespace
/// (PortForwarder.connectInPod, as `minipod port-forward`) and kubectl's data stream.
/// A thread connects, then copies the pod's bytes into DATA frames, waiting on each
/// write; kubectl's bytes are written to the socket on a serial queue, which also owns
/// every other use of the fd (half-close, shutdown, close), so the fd is closed once,
/// after both directions are done with it.
final class PodPortConnection: @unchecked Sendable {
    let dataStream: UInt32
    let errorStream: UInt32
    private let port: Int
    private let target: SPDYPortForwardService.Target
    private weak var session: SPDYSession?
    /// Suspended until the socket is connected: what kubectl sends first waits there.
    private let queue = DispatchQueue(label: "port-forward")
    private var fd: Int32 = -1
    private var finished = false
    var onEnd: () -> Void = {}

    init(session: SPDYSession, target: SPDYPortForwardService.Target, port: Int, dataStream: UInt32, errorStream: UInt32) {
        self.session = session
        self.target = target
        self.port = port
        self.dataStream = dataStream
        self.errorStream = errorStream
        queue.suspend()
    }

    func start() {
        let thread = Thread { [self] in
            do {
                fd = try PortForwarder.connectInPod(netns: target.netns, port: port)
            } catch {
                finished = true
                queue.resume()
                if let session {
                    let message = "error forwarding port \(port) to pod \(target.podName), uid \(target.uid): \(error)"
                    Self.refuse(session: session, errorStream: errorStream, dataStream: dataStream, message: message)
                }
                onEnd()
                return
            }
            queue.resume()
            copyFromPod()
        }
        thread.start()
    }

    /// kubelet's answer to a pair it cannot serve: the reason on the error stream, then both ended.
    static func refuse(session: SPDYSession, errorStream: UInt32, dataStream: UInt32, message: String) {
        _ = session.send(.data(streamID: errorStream, payload: Array(message.utf8), fin: true))
        _ = session.send(.data(streamID: dataStream, payload: [], fin: true))
    }

    private func copyFromPod() {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while let session {
            let n = read(fd, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            guard buffer.withUnsafeBytes({ session.sendDataAndWait(streamID: dataStream, UnsafeRawBufferPointer(rebasing: $0[0..<n])) }) else {
                break
            }
        }
        // The pod side ended: kubectl waits for both streams to end before it closes the local connection.
        if let session {
            _ = session.send(.data(streamID: dataStream, payload: [], fin: true))
            _ = session.send(.data(streamID: errorStream, payload: [], fin: true))
        }
        queue.async { [self] in
            finished = true
            close(fd)
            fd = -1
            onEnd()
        }
    }

    /// kubectl's bytes for the pod; `fin`: it will send no more (its local connection half-closed).
    func send(_ bytes: [UInt8], fin: Bool) {
        queue.async { [self] in
            if !finished && !bytes.isEmpty { _ = bytes.withUnsafeBytes { FileIO.writeAll(fd, $0) } }
            session?.consumed(streamID: dataStream, count: bytes.count)
            if fin && !finished { shutdown(fd, Int32(SHUT_WR)) }
        }
    }

    /// kubectl reset a stream or went away: the copying thread wakes and ends.
    func reset() {
        queue.async { [self] in
            if !finished { shutdown(fd, Int32(SHUT_RDWR)) }
        }
    }
}
