import Foundation
import MinipodPod
import MinipodSPDY
import NIOCore

/// `kubectl exec` over SPDY (kubectl 1.27–1.29, and newer ones when WebSocket is
/// refused): one stream per channel, named by its `streamType` header. As kubelet's
/// remotecommand server, the command starts once every stream the request implies is
/// open: error always, stdin/stdout/stderr as asked, resize with a terminal (v3+).
/// At the end stdout and stderr are FINed and the error stream carries how it ended:
/// a Status in v4, an error's text in older versions.
final class SPDYExecService: SPDYStreamService, @unchecked Sendable {
    static let versions = ["v4.channel.k8s.io", "v3.channel.k8s.io", "v2.channel.k8s.io", "channel.k8s.io"]

    let request: ExecRequest
    let paths: PodPaths
    let version: String
    private weak var session: SPDYSession?
    private var exec: StreamSession?
    private var streams: [String: UInt32] = [:]
    /// The streams as they were when the command started; its threads read only these.
    private var startedStreams: [String: UInt32] = [:]
    private var resizeLine: [UInt8] = []
    private var started = false

    init(request: ExecRequest, paths: PodPaths, version: String) {
        self.request = request
        self.paths = paths
        self.version = version
    }

    private var expected: Set<String> {
        var names: Set<String> = ["error"]
        if request.stdin { names.insert("stdin") }
        if request.stdout { names.insert("stdout") }
        if request.stderr && !request.tty { names.insert("stderr") }
        if request.tty && version != "v2.channel.k8s.io" && version != "channel.k8s.io" { names.insert("resize") }
        return names
    }

    func attach(_ session: SPDYSession) {
        self.session = session
        guard let loop = session.channel?.eventLoop else { return }
        exec = makeStreamSession(
            request: request, paths: paths, loop: loop,
            output: { [weak self] stream, bytes in self?.output(stream, bytes) ?? false },
            finished: { [weak self] result in self?.finish(result) })
        exec?.consumed = { [weak self] count in
            if let session = self?.session, let id = self?.startedStreams["stdin"] { session.consumed(streamID: id, count: count) }
        }
    }

    func opened(_ stream: SPDYFrame.SynStream) {
        guard let type = stream.headers["streamType"] else { return }
        streams[type] = stream.streamID
        if !started && expected.isSubset(of: Set(streams.keys)) {
            started = true
            startedStreams = streams
            exec?.start()
        }
    }

    func received(streamID: UInt32, payload: [UInt8], fin: Bool) {
        switch streamID {
        case streams["stdin"]:
            if !payload.isEmpty { exec?.write(payload) }
            if fin { exec?.closeInput() }
        case streams["resize"]:
            session?.consumed(streamID: streamID, count: payload.count)
            resizeLine += payload
            // One JSON object per line (Go's json.Encoder); a line may come in pieces.
            while let end = resizeLine.firstIndex(of: UInt8(ascii: "\n")) {
                exec?.resize(json: Array(resizeLine[..<end]))
                resizeLine.removeSubrange(...end)
            }
        default:
            session?.consumed(streamID: streamID, count: payload.count)
        }
    }

    func reset(streamID: UInt32) {
        if streamID == streams["stdin"] { exec?.closeInput() }
    }

    func closed() {
        exec?.clientGone()
    }

    private func output(_ stream: ExecSession.Stream, _ bytes: ArraySlice<UInt8>) -> Bool {
        guard let session else { return false }
        guard let id = startedStreams[stream == .stdout ? "stdout" : "stderr"] ?? startedStreams["stdout"] else { return true }
        return session.sendAndWait(.data(streamID: id, payload: Array(bytes), fin: false))
    }

    private func finish(_ result: ExecResult) {
        guard let session else { return }
        for name in ["stdout", "stderr"] {
            if let id = startedStreams[name] { _ = session.send(.data(streamID: id, payload: [], fin: true)) }
        }
        if let id = startedStreams["error"] {
            let message: [UInt8]
            if version == "v4.channel.k8s.io" {
                message = Array((try? JSONSerialization.data(withJSONObject: result.status)) ?? Data())
            } else {
                message = Array((result.text ?? "").utf8)
            }
            if !message.isEmpty { _ = session.send(.data(streamID: id, payload: message, fin: false)) }
            _ = session.sendAndWait(.data(streamID: id, payload: [], fin: true))
        }
        // kubectl hangs up once it has read the Status; a client that does not is hung up on.
        session.channel?.eventLoop.scheduleTask(in: .seconds(10)) { session.close() }
    }
}
