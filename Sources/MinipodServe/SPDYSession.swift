import Foundation
import MinipodSPDY
import NIOCore

/// What runs over one SPDY connection: exec's channels or port-forward's stream pairs.
/// Every call comes on the connection's event loop.
protocol SPDYStreamService: AnyObject {
    func attach(_ session: SPDYSession)
    /// A stream kubectl opened; it has already been answered with a SYN_REPLY.
    func opened(_ stream: SPDYFrame.SynStream)
    /// DATA kubectl sent; the service calls `session.consumed` once the bytes are used.
    func received(streamID: UInt32, payload: [UInt8], fin: Bool)
    func reset(streamID: UInt32)
    /// The connection is gone (closed, reset, or broken input).
    func closed()
}

/// A SPDY/3.1 connection after the upgrade (raw bytes, or bytes out of WebSocket
/// messages): decodes frames, answers SYN_STREAMs and PINGs, hands streams to its
/// service and encodes what the service sends. kubectl's spdystream sends no
/// WINDOW_UPDATE and ignores ours, so the backpressure that counts is the
/// connection's own: reading stops while too much received DATA is not yet consumed,
/// and a writer waits on its write (TCP/TLS) before sending more.
final class SPDYSession: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    static let pauseAbove = 4 << 20
    static let resumeBelow = 1 << 20

    private var decoder = SPDYFrameDecoder()
    private let encoder = SPDYFrameEncoder()
    private let service: SPDYStreamService
    private var unconsumed = 0
    private var paused = false
    private var ended = false
    private(set) var channel: Channel?

    init(service: SPDYStreamService) { self.service = service }

    func handlerAdded(context: ChannelHandlerContext) {
        channel = context.channel
        service.attach(self)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        guard !ended else { return }
        decoder.feed(buffer.readableBytesView)
        do {
            while let frame = try decoder.nextFrame() { handle(frame, context) }
        } catch {
            // The peer's bytes are unreadable from here on: say so, then hang up.
            write(.goAway(lastGoodStreamID: 0, status: 1), context.channel).whenComplete { _ in context.close(promise: nil) }
            end()
        }
    }

    private func handle(_ frame: SPDYFrame, _ context: ChannelHandlerContext) {
        switch frame {
        case .synStream(let syn):
            write(.synReply(streamID: syn.streamID, headers: [:], fin: false), context.channel)
            service.opened(syn)
        case .data(let streamID, let payload, let fin):
            unconsumed += payload.count
            if unconsumed > Self.pauseAbove && !paused {
                paused = true
                context.channel.setOption(ChannelOptions.autoRead, value: false).whenFailure { _ in }
            }
            service.received(streamID: streamID, payload: payload, fin: fin)
        case .rstStream(let streamID, _):
            service.reset(streamID: streamID)
        case .ping(let id):
            write(.ping(id: id), context.channel)
        case .goAway:
            context.close(promise: nil)
        case .synReply, .headers, .settings, .windowUpdate:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        end()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    private func end() {
        guard !ended else { return }
        ended = true
        service.closed()
    }

    @discardableResult
    private func write(_ frame: SPDYFrame, _ channel: Channel) -> EventLoopFuture<Void> {
        let bytes = encoder.encode(frame)
        return channel.writeAndFlush(channel.allocator.buffer(bytes: bytes))
    }

    /// From any thread. Control frames are encoded on the loop, in order: header
    /// compression is one stream per direction.
    func send(_ frame: SPDYFrame) -> EventLoopFuture<Void> {
        guard let channel else { preconditionFailure("a SPDY session sends only once added to a channel") }
        return channel.eventLoop.flatSubmit { self.write(frame, channel) }
    }

    /// Sends and waits until the bytes are handed to the socket: a writer thread's backpressure.
    func sendAndWait(_ frame: SPDYFrame) -> Bool {
        (try? send(frame).wait()) != nil
    }

    /// A DATA frame framed straight into the outgoing buffer (one copy, off the loop), then
    /// waits as sendAndWait does. Ordered with `send`: both reach the loop in call order.
    func sendDataAndWait(streamID: UInt32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let channel else { return false }
        var buffer = channel.allocator.buffer(capacity: SPDYFrameEncoder.dataHeaderLength + bytes.count)
        buffer.writeBytes(SPDYFrameEncoder.dataHeader(streamID: streamID, length: bytes.count, fin: false))
        buffer.writeBytes(bytes)
        return (try? channel.writeAndFlush(buffer).wait()) != nil
    }

    /// From any thread: `count` bytes of a stream's DATA were used. The peer's window grows
    /// by as much, and reading resumes once little is left outstanding.
    func consumed(streamID: UInt32, count: Int) {
        guard let channel, count > 0 else { return }
        channel.eventLoop.execute {
            self.unconsumed -= count
            self.write(.windowUpdate(streamID: streamID, delta: UInt32(count)), channel)
            if self.paused && self.unconsumed < Self.resumeBelow {
                self.paused = false
                channel.setOption(ChannelOptions.autoRead, value: true).whenSuccess { channel.read() }
            }
        }
    }

    func close() {
        channel?.close(promise: nil)
    }
}
