import Foundation
import MinipodSPDY

/// `kubectl port-forward` over SPDY (raw, or tunnelled in WebSocket messages). For each
/// local connection kubectl opens an `error` and a `data` stream with the same
/// `requestID` and the remote `port`; once both are there, a PodPortConnection connects
/// inside the pod and copies. Failures are reported on that pair's error stream, as
/// kubelet does, and the session stays up for the next connection.
final class SPDYPortForwardService: SPDYStreamService, @unchecked Sendable {
    struct Target {
        let podName: String
        let uid: String
        let netns: String
    }

    private struct PendingPair {
        var error: UInt32?
        var data: UInt32?
        var port: Int?
    }

    static let maxPendingPairs = 1024

    let target: Target
    private weak var session: SPDYSession?
    private var pending: [String: PendingPair] = [:]
    /// By stream id, both the data and the error stream of each pair.
    private var connections: [UInt32: PodPortConnection] = [:]

    init(target: Target) { self.target = target }

    func attach(_ session: SPDYSession) { self.session = session }

    func opened(_ stream: SPDYFrame.SynStream) {
        let type = stream.headers["streamType"]
        // kubectl has sent requestID since 1.6; older clients paired by stream id (data = error + 2).
        let request = stream.headers["requestID"] ?? String(type == "data" && stream.streamID > 2 ? stream.streamID - 2 : stream.streamID)
        var pair = pending[request] ?? PendingPair()
        switch type {
        case "error": pair.error = stream.streamID
        case "data": pair.data = stream.streamID
        default:
            _ = session?.send(.rstStream(streamID: stream.streamID, status: SPDYStatus.protocolError))
            return
        }
        if let text = stream.headers["port"] { pair.port = Int(text) }
        guard let error = pair.error, let data = pair.data, let session else {
            // kubectl opens both streams of a pair at once; a peer that only opens halves is refused.
            guard pending.count < Self.maxPendingPairs else {
                _ = session?.send(.rstStream(streamID: stream.streamID, status: SPDYStatus.refusedStream))
                return
            }
            pending[request] = pair
            return
        }
        pending[request] = nil
        guard let port = pair.port, (1...65535).contains(port) else {
            let message = "invalid port \"\(stream.headers["port"] ?? "")\" in the port-forward request"
            PodPortConnection.refuse(session: session, errorStream: error, dataStream: data, message: message)
            return
        }
        let connection = PodPortConnection(session: session, target: target, port: port, dataStream: data, errorStream: error)
        connections[data] = connection
        connections[error] = connection
        connection.onEnd = { [weak self, weak session] in
            session?.channel?.eventLoop.execute {
                self?.connections[data] = nil
                self?.connections[error] = nil
            }
        }
        connection.start()
    }

    func received(streamID: UInt32, payload: [UInt8], fin: Bool) {
        guard let connection = connections[streamID], streamID == connection.dataStream else {
            // kubectl FINs its side of the error stream at once; nothing else comes on it.
            session?.consumed(streamID: streamID, count: payload.count)
            return
        }
        connection.send(payload, fin: fin)
    }

    func reset(streamID: UInt32) {
        connections[streamID]?.reset()
    }

    func closed() {
        // Each connection is there twice (data and error stream); a second reset does nothing.
        connections.values.forEach { $0.reset() }
        connections = [:]
        pending = [:]
    }
}
