import Foundation
import MinipodAPI
import MinipodAPIModel
import MinipodKube
import MinipodPod
import MinipodSystem
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket

/// `minipod serve`: HTTPS on one address, every request but health and version
/// with the kubeconfig's bearer token. Stateless: the store is the truth, so it
/// may be stopped, killed or run twice while pods go on.
public final class APIServer: @unchecked Sendable {
    public struct Options {
        public var host = "127.0.0.1"
        public var port = 6443
        public var kubeconfig: String?
        public init() {}
    }

    let handlers: APIHandlers
    let feed: PodFeed
    let threadPool: NIOThreadPool
    let group: MultiThreadedEventLoopGroup
    let token: [UInt8]
    let sslContext: NIOSSLContext
    let namespaceWatchers: NamespaceWatchers

    public init(options: Options, paths: PodPaths, minipodExecutable: String, material: PKI.Material, host: ClusterObjects.Host) throws {
        var service = PodService(paths: paths, executable: minipodExecutable)
        service.report = { FileHandle.standardError.write(Data(("minipod serve: " + $0 + "\n").utf8)) }
        let pool = NIOThreadPool(numberOfThreads: 4)
        pool.start()
        threadPool = pool
        let finisher = service
        let feed = PodFeed(paths: paths)
        self.feed = feed
        var handlers = APIHandlers(service: service, host: host, serverAddress: "\(options.host):\(options.port)") { pending in
            // A deleted pod is gone once its supervisor finishes; one whose supervisor was lost is torn down here.
            let thread = Thread { try? finisher.finishDeletion(pending) }
            thread.start()
        }
        handlers.cache = feed
        self.handlers = handlers
        namespaceWatchers = NamespaceWatchers { handlers.namespaceObjects() }
        let watchers = namespaceWatchers
        feed.onPublish = { watchers.changed() }
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        token = Array(material.token.utf8)
        let certificate = try NIOSSLCertificate(bytes: Array(material.certificatePEM.utf8), format: .pem)
        let key = try NIOSSLPrivateKey(bytes: Array(material.keyPEM.utf8), format: .pem)
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: [.certificate(certificate)], privateKey: .privateKey(key))
        tls.minimumTLSVersion = .tlsv12
        sslContext = try NIOSSLContext(configuration: tls)
    }

    /// Health and version are public on a cluster too; everything else needs the token.
    func authenticated(_ request: APIRequest) -> Bool {
        switch APIRoute(path: request.path) {
        case .health, .version: return true
        default: break
        }
        guard let header = request.headers["authorization"], header.hasPrefix("Bearer ") else { return false }
        let offered = Array(header.dropFirst("Bearer ".count).utf8)
        guard offered.count == token.count else { return false }
        // Constant time: how much of a guess matched must not show in the answer's timing.
        return zip(offered, token).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    func snapshot(_ watch: WatchRequest) -> [Any] {
        switch watch.resource {
        case .namespaces: return handlers.namespaceObjects()
        case .nodes: return [handlers.node]
        case .events: return handlers.events(namespace: watch.namespace)
        case .pods: return []
        }
    }

    public func run(bind host: String, port: Int) throws -> Channel {
        try feed.start()
        let context = sslContext
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    let api = APIChannelHandler(server: self)
                    let upgrade: NIOHTTPServerUpgradeSendableConfiguration = (
                        upgraders: [webSocketUpgrader(), SPDYUpgrader(server: self)],
                        completionHandler: { context in context.pipeline.removeHandler(api, promise: nil) }
                    )
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withServerUpgrade: upgrade, withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(api)
                }
            }
            .childChannelOption(.socketOption(.so_keepalive), value: 1)
        let channel = try bootstrap.bind(host: host, port: port).wait()
        releaseCodeWhenIdle(on: group.next())
        PodHousekeeping(paths: handlers.service.paths, executable: handlers.service.executable).start()
        return channel
    }

    /// The server links NIO, BoringSSL and Foundation statically: a burst of requests
    /// faults in tens of MiB of machine code that an idle server never runs again.
    /// Every few seconds, if the code pages grew by 2 MiB since the last look, they are
    /// dropped (ResidentCode, as the supervisor does); they stay in the page cache.
    private func releaseCodeWhenIdle(on loop: EventLoop) {
        var afterRelease = 0
        loop.scheduleRepeatedTask(initialDelay: .milliseconds(500), delay: .seconds(3)) { _ in
            guard let bytes = ResidentCode.fileBackedBytes(), bytes > afterRelease + 2 << 20 else { return }
            _ = ResidentCode.release()
            afterRelease = ResidentCode.fileBackedBytes() ?? 0
        }
    }

    /// exec as kubectl 1.30+ asks for it (a WebSocket with a channel subprotocol), and
    /// port-forward as 1.31+ does (SPDY inside WebSocket messages). A request this cannot
    /// serve (no token, no such pod or container, another protocol) is not upgraded and
    /// reaches the API handler, which answers it with a Status.
    func webSocketUpgrader() -> NIOWebSocketServerUpgrader {
        NIOWebSocketServerUpgrader(
            maxFrameSize: 1 << 20, automaticErrorHandling: true,
            shouldUpgrade: { [self] channel, head in
                channel.eventLoop.makeSucceededFuture(webSocketStream(head).map { _, proto in HTTPHeaders([("Sec-WebSocket-Protocol", proto)]) })
            },
            upgradePipelineHandler: { [self] channel, head in
                channel.eventLoop.makeCompletedFuture {
                    switch webSocketStream(head)?.stream {
                    case .exec(let request):
                        try channel.pipeline.syncOperations.addHandler(ExecWebSocketHandler(request: request, paths: handlers.service.paths))
                    case .portForward(let target):
                        try channel.pipeline.syncOperations.addHandlers([
                            SPDYWebSocketTunnel(), SPDYSession(service: SPDYPortForwardService(target: target)),
                        ])
                    case nil:
                        throw APIStatus.badRequest("not an exec or port-forward request")
                    }
                }
            })
    }

    static let channelProtocols = ["v5.channel.k8s.io", "v4.channel.k8s.io"]

    func webSocketStream(_ head: HTTPRequestHead) -> (stream: StreamRequest, proto: String)? {
        let offered = head.headers["Sec-WebSocket-Protocol"].flatMap { $0.split(separator: ",") }.map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        switch streamRequest(head) {
        case .exec(let request):
            return Self.channelProtocols.first(where: offered.contains).map { (.exec(request), $0) }
        case .portForward(let target):
            return offered.contains(SPDYWebSocketTunnel.subprotocol) ? (.portForward(target), SPDYWebSocketTunnel.subprotocol) : nil
        case nil:
            return nil
        }
    }

    public func shutdown() {
        try? group.syncShutdownGracefully()
        try? threadPool.syncShutdownGracefully()
    }
}
