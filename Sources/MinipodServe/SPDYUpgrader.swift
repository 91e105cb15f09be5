import NIOCore
import NIOHTTP1

/// The SPDY/3.1 upgrade kubectl 1.27–1.29 use for exec, and every kubectl for
/// port-forward when WebSocket is refused: `POST …/exec|portforward` with
/// `Upgrade: SPDY/3.1` and the stream protocols it speaks in `X-Stream-Protocol-Version`.
/// The 101 names the chosen one; NIO has then taken the HTTP handlers out of the
/// pipeline and SPDYSession reads the connection's raw (TLS) bytes.
final class SPDYUpgrader: HTTPServerProtocolUpgrader, @unchecked Sendable {
    let supportedProtocol = "SPDY/3.1"
    let requiredUpgradeHeaders: [String] = []
    private let server: APIServer

    init(server: APIServer) { self.server = server }

    private struct Refused: Error {}

    func buildUpgradeResponse(channel: Channel, upgradeRequest: HTTPRequestHead, initialResponseHeaders: HTTPHeaders) -> EventLoopFuture<HTTPHeaders>
    {
        guard let (_, version) = service(for: upgradeRequest) else { return channel.eventLoop.makeFailedFuture(Refused()) }
        var headers = initialResponseHeaders
        headers.add(name: "X-Stream-Protocol-Version", value: version)
        return channel.eventLoop.makeSucceededFuture(headers)
    }

    func upgrade(context: ChannelHandlerContext, upgradeRequest: HTTPRequestHead) -> EventLoopFuture<Void> {
        guard let (service, _) = service(for: upgradeRequest) else { return context.eventLoop.makeFailedFuture(Refused()) }
        return context.eventLoop.makeCompletedFuture { try context.pipeline.syncOperations.addHandler(SPDYSession(service: service)) }
    }

    private func service(for head: HTTPRequestHead) -> (SPDYStreamService, String)? {
        let offered = head.headers["X-Stream-Protocol-Version"].flatMap { $0.split(separator: ",") }.map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        switch server.streamRequest(head) {
        case .exec(let request):
            guard let version = SPDYExecService.versions.first(where: offered.contains) else { return nil }
            return (SPDYExecService(request: request, paths: server.handlers.service.paths, version: version), version)
        case .portForward(let target):
            guard offered.contains("portforward.k8s.io") else { return nil }
            return (SPDYPortForwardService(target: target), "portforward.k8s.io")
        case nil:
            return nil
        }
    }
}
