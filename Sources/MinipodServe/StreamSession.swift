import MinipodPod
import NIOCore

/// What the exec and attach transports (WebSocket channels, SPDY streams) drive:
/// input, its end, resizes and the client's departure go in; output and how it
/// ended come back through the closures the session was made with.
protocol StreamSession: AnyObject {
    /// Called once input bytes reached the container, so a transport can grant more.
    var consumed: (Int) -> Void { get set }
    func start()
    func write(_ bytes: [UInt8])
    func closeInput()
    /// kubectl's `{"Width":…,"Height":…}`.
    func resize(json: [UInt8])
    func clientGone()
}

extension ExecSession: StreamSession {}

/// The session a request asks for: a new process (exec) or the container's own stdio (attach).
func makeStreamSession(
    request: ExecRequest, paths: PodPaths, loop: EventLoop, output: @escaping (ExecSession.Stream, ArraySlice<UInt8>) -> Bool,
    finished: @escaping (ExecResult) -> Void
) -> StreamSession {
    if request.attach { return AttachSession(request: request, paths: paths, output: output, finished: finished) }
    return ExecSession(request: request, paths: paths, loop: loop, output: output, finished: finished)
}
