import Foundation
import MinipodPod
import NIOCore
import NIOWebSocket

/// `kubectl exec` and `attach` over WebSocket (the v5 and v4 channel protocols,
/// kubectl 1.30+): every binary message starts with its channel, 0 stdin, 1 stdout,
/// 2 stderr, 3 the final Status, 4 a terminal resize, 255 a stream closed (v5).
/// ExecSession runs the command; this maps its streams to channels.
final class ExecWebSocketHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    let request: ExecRequest
    let paths: PodPaths
    private var session: StreamSession?

    init(request: ExecRequest, paths: PodPaths) {
        self.request = request
        self.paths = paths
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        let session = makeStreamSession(
            request: request, paths: paths, loop: channel.eventLoop,
            output: { stream, bytes in Self.send(channel, channel: stream == .stdout ? 1 : 2, bytes: bytes) },
            finished: { result in Self.finish(channel, status: result.status) })
        self.session = session
        session.start()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, data: frame.data)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .connectionClose:
            session?.closeInput()
            context.close(promise: nil)
        case .binary, .text:
            var data = frame.unmaskedData
            guard let stream = data.readInteger(as: UInt8.self) else { return }
            let bytes = data.readBytes(length: data.readableBytes) ?? []
            switch stream {
            case 0: session?.write(bytes)
            case 4: session?.resize(json: bytes)
            case 255 where bytes.first == 0: session?.closeInput()
            default: break
            }
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        session?.clientGone()
    }

    @discardableResult
    private static func send(_ channel: Channel, channel number: UInt8, bytes: ArraySlice<UInt8>) -> Bool {
        var buffer = channel.allocator.buffer(capacity: bytes.count + 1)
        buffer.writeInteger(number)
        buffer.writeBytes(bytes)
        // Waiting keeps a fast writer from outrunning the client.
        return (try? channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .binary, data: buffer)).wait()) != nil
    }

    private static func finish(_ channel: Channel, status: [String: Any]) {
        let data = (try? JSONSerialization.data(withJSONObject: status)) ?? Data()
        send(channel, channel: 3, bytes: ArraySlice(data))
        var close = channel.allocator.buffer(capacity: 2)
        close.write(webSocketErrorCode: .normalClosure)
        channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .connectionClose, data: close)).whenComplete { _ in
            channel.close(promise: nil)
        }
    }
}
