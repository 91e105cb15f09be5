import Foundation
import MinipodAPI
import MinipodAPIModel
import MinipodPod
import NIOCore
import NIOHTTP1
import NIOPosix

/// One HTTP/1.1 connection: collects a request (body bounded), checks the bearer
/// token, runs the handler on the thread pool (the pod service blocks on files and
/// processes) and writes the answer: a whole body, or a chunked stream for watches
/// and logs that ends when the client goes.
final class APIChannelHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// The API server's default limit for a request body (3 MiB).
    static let maxBody = 3 * 1024 * 1024

    let server: APIServer
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()
    private var refused = false

    init(server: APIServer) { self.server = server }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
            refused = false
            if let length = head.headers.first(name: "content-length").flatMap(Int.init), length > Self.maxBody {
                refuse(context, APIStatus(code: 413, reason: "RequestEntityTooLarge", message: "the request body is larger than 3 MiB"))
            }
        case .body(var chunk):
            guard !refused else { return }
            if body.readableBytes + chunk.readableBytes > Self.maxBody {
                refuse(context, APIStatus(code: 413, reason: "RequestEntityTooLarge", message: "the request body is larger than 3 MiB"))
                return
            }
            body.writeBuffer(&chunk)
        case .end:
            guard let head, !refused else { return }
            self.head = nil
            dispatch(context, head)
        }
    }

    private func refuse(_ context: ChannelHandlerContext, _ status: APIStatus) {
        refused = true
        guard let head else { return }
        write(context, head: head, response: .failure(status), close: true)
    }

    private func dispatch(_ context: ChannelHandlerContext, _ head: HTTPRequestHead) {
        var headers: [String: String] = [:]
        for (name, value) in head.headers { headers[name.lowercased()] = value }
        let request = APIRequest(
            method: head.method.rawValue, uri: head.uri, headers: headers,
            body: Data(body.readableBytesView))
        guard server.authenticated(request) else {
            write(context, head: head, response: .failure(.unauthorized), close: false)
            return
        }
        let loop = context.eventLoop
        let handlers = server.handlers
        let boundContext = NIOLoopBound(context, eventLoop: loop)
        let boundSelf = NIOLoopBound(self, eventLoop: loop)
        server.threadPool.runIfActive(eventLoop: loop) { handlers.handle(request) }.whenComplete { result in
            let context = boundContext.value
            switch result {
            case .success(.watch(let watch)):
                boundSelf.value.startWatch(context, head: head, watch)
            case .success(.logs(let logs)):
                boundSelf.value.startLogs(context, head: head, logs)
            case .success(let response):
                boundSelf.value.write(context, head: head, response: response, close: false)
                if case .namespace = APIRoute(path: request.path), request.method == "DELETE" { boundSelf.value.server.namespaceWatchers.changed() }
                if case .namespaces = APIRoute(path: request.path), request.method == "POST" { boundSelf.value.server.namespaceWatchers.changed() }
            case .failure(let error):
                boundSelf.value.write(context, head: head, response: .failure(APIStatus.from(error)), close: true)
            }
        }
    }

    private func write(_ context: ChannelHandlerContext, head: HTTPRequestHead, response: APIResponse, close: Bool) {
        guard case .body(let status, let data, let contentType, let warnings) = response else { return }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: String(data.count))
        headers.add(name: "Cache-Control", value: "no-cache, private")
        for warning in warnings { headers.add(name: "Warning", value: "299 - \"\(warning.replacingOccurrences(of: "\"", with: "'"))\"") }
        let keepAlive = head.isKeepAlive && !close
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .init(statusCode: status), headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: data)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            if !keepAlive { context.close(promise: nil) }
        }
    }

    private func streamHead(_ context: ChannelHandlerContext, _ head: HTTPRequestHead, contentType: String) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Transfer-Encoding", value: "chunked")
        headers.add(name: "Cache-Control", value: "no-cache, private")
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .ok, headers: headers))), promise: nil)
    }

    // MARK: watch

    private func startWatch(_ context: ChannelHandlerContext, head: HTTPRequestHead, _ watch: WatchRequest) {
        streamHead(context, head, contentType: "application/json")
        let channel = context.channel
        let send: (Data) -> Void = { data in
            channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(channel.allocator.buffer(bytes: data))), promise: nil)
        }
        let finish = {
            channel.writeAndFlush(HTTPServerResponsePart.end(nil)).whenComplete { _ in channel.close(promise: nil) }
        }
        if watch.resource == .namespaces {
            let watchers = server.namespaceWatchers
            let id = watchers.add(watch, send: send)
            channel.closeFuture.whenComplete { _ in watchers.remove(id) }
            scheduleEnd(channel, watch, nil, finish)
            return
        }
        guard watch.resource == .pods else {
            // The node and events change seldom here: their watch shows what is, then waits.
            for item in server.snapshot(watch) { send(WatchEvent.line(type: "ADDED", object: item)) }
            scheduleEnd(channel, watch, nil, finish)
            return
        }
        guard let id = server.feed.subscribe(watch, send: send) else {
            finish()
            return
        }
        scheduleEnd(channel, watch, id, finish)
    }

    private func scheduleEnd(_ channel: Channel, _ watch: WatchRequest, _ id: Int?, _ finish: @escaping () -> Void) {
        let feed = server.feed
        channel.closeFuture.whenComplete { _ in if let id { feed.unsubscribe(id) } }
        if let seconds = watch.timeoutSeconds, seconds > 0 {
            channel.eventLoop.scheduleTask(in: .seconds(Int64(seconds))) {
                if let id { feed.unsubscribe(id) }
                finish()
            }
        }
    }

    // MARK: logs

    private func startLogs(_ context: ChannelHandlerContext, head: HTTPRequestHead, _ logs: LogRequest) {
        streamHead(context, head, contentType: "text/plain")
        let channel = context.channel
        let paths = server.handlers.service.paths
        let gone = ManagedAtomicFlag()
        channel.closeFuture.whenComplete { _ in gone.set() }
        let thread = Thread {
            var options = PodLogs.Options()
            options.follow = logs.follow
            options.previous = logs.previous
            options.timestamps = logs.timestamps
            options.tail = logs.tail
            options.since = logs.sinceSeconds.map(TimeInterval.init) ?? logs.sinceTime.map { Date().timeIntervalSince($0) }
            for container in logs.containers where !gone.isSet {
                try? PodLogs(paths: paths).stream(key: logs.key, container: container, options: options, stop: { gone.isSet }) { line in
                    // Waiting for each write keeps a fast writer from filling memory faster than the client reads.
                    _ = try? channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(channel.allocator.buffer(string: line)))).wait()
                }
            }
            channel.writeAndFlush(HTTPServerResponsePart.end(nil)).whenComplete { _ in
                if !head.isKeepAlive { channel.close(promise: nil) }
            }
        }
        thread.start()
    }
}

/// A flag one thread sets and another reads.
final class ManagedAtomicFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() {
        lock.lock()
        value = true
        lock.unlock()
    }
    var isSet: Bool {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
}
