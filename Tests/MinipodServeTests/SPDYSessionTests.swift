import MinipodSPDY
import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing

@testable import MinipodServe

/// SPDYSession on an in-memory channel, with kubectl's side played by a framer of its
/// own: streams are answered and handed over, PINGs echoed, consumed DATA grows the
/// window, unreadable bytes end the connection with a GOAWAY. No root, no pods.
struct SPDYSessionTests {
    final class RecordingService: SPDYStreamService {
        var opened: [String] = []
        var received: [(UInt32, [UInt8], Bool)] = []
        var resets: [UInt32] = []
        var isClosed = false
        weak var session: SPDYSession?
        func attach(_ session: SPDYSession) { self.session = session }
        func opened(_ stream: SPDYFrame.SynStream) { opened.append("\(stream.streamID):\(stream.headers["streamType"] ?? "")") }
        func received(streamID: UInt32, payload: [UInt8], fin: Bool) { received.append((streamID, payload, fin)) }
        func reset(streamID: UInt32) { resets.append(streamID) }
        func closed() { isClosed = true }
    }

    /// kubectl's end: its own encoder and decoder (one compression context per direction).
    struct Client {
        let encoder = SPDYFrameEncoder()
        var decoder = SPDYFrameDecoder()

        func bytes(_ frames: [SPDYFrame]) -> ByteBuffer { ByteBuffer(bytes: frames.flatMap(encoder.encode)) }

        mutating func frames(from channel: EmbeddedChannel) throws -> [SPDYFrame] {
            var out: [SPDYFrame] = []
            while let buffer = try channel.readOutbound(as: ByteBuffer.self) {
                decoder.feed(buffer.readableBytesView)
                while let frame = try decoder.nextFrame() { out.append(frame) }
            }
            return out
        }
    }

    @Test func streamsAreAnsweredAndHandedOverAndPingsEchoed() throws {
        let service = RecordingService()
        let channel = EmbeddedChannel(handler: SPDYSession(service: service))
        var client = Client()
        try channel.writeInbound(
            client.bytes([
                .synStream(.init(streamID: 1, headers: ["streamType": "error", "port": "80", "requestID": "0"])),
                .synStream(.init(streamID: 3, headers: ["streamType": "data", "port": "80", "requestID": "0"])),
                .ping(id: 1), .data(streamID: 3, payload: Array("GET /".utf8), fin: true), .rstStream(streamID: 1, status: SPDYStatus.cancel),
            ]))
        #expect(service.opened == ["1:error", "3:data"])
        #expect(service.received.map { "\($0.0):\(String(decoding: $0.1, as: UTF8.self)):\($0.2)" } == ["3:GET /:true"])
        #expect(service.resets == [1])
        #expect(
            try client.frames(from: channel) == [
                .synReply(streamID: 1, headers: [:], fin: false), .synReply(streamID: 3, headers: [:], fin: false), .ping(id: 1),
            ])
        service.session?.consumed(streamID: 3, count: 5)
        channel.embeddedEventLoop.run()
        #expect(try client.frames(from: channel) == [.windowUpdate(streamID: 3, delta: 5)])
        _ = try channel.finish()
        #expect(service.isClosed)
    }

    @Test func unreadableBytesEndTheConnectionWithAGoAway() throws {
        let service = RecordingService()
        let channel = EmbeddedChannel(handler: SPDYSession(service: service))
        var client = Client()
        try channel.writeInbound(ByteBuffer(bytes: [0x80, 2, 0, 6, 0, 0, 0, 4, 0, 0, 0, 1]))  // SPDY/2
        #expect(try client.frames(from: channel) == [.goAway(lastGoodStreamID: 0, status: 1)])
        #expect(service.isClosed)
        try channel.writeInbound(ByteBuffer(bytes: [0x80, 3, 0, 6, 0, 0, 0, 4, 0, 0, 0, 1]))
        #expect(try client.frames(from: channel).isEmpty, "nothing is read after the error")
    }

    /// kubectl 1.31+: SPDY inside binary WebSocket messages, split anywhere.
    @Test func theWebSocketTunnelCarriesFramesSplitAcrossMessages() throws {
        let service = RecordingService()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers([SPDYWebSocketTunnel(), SPDYSession(service: service)])
        let client = Client()
        let bytes = Array(client.bytes([.synStream(.init(streamID: 1, headers: ["streamType": "error"])), .ping(id: 3)]).readableBytesView)
        let cuts = [0, 1, 9, bytes.count - 2, bytes.count]
        for (from, to) in zip(cuts, cuts.dropFirst()) {
            try channel.writeInbound(WebSocketFrame(fin: true, opcode: .binary, data: ByteBuffer(bytes: bytes[from..<to])))
        }
        #expect(service.opened == ["1:error"])
        var decoder = SPDYFrameDecoder()
        var frames: [SPDYFrame] = []
        while let message = try channel.readOutbound(as: WebSocketFrame.self) {
            #expect(message.opcode == .binary)
            decoder.feed(message.data.readableBytesView)
            while let frame = try decoder.nextFrame() { frames.append(frame) }
        }
        #expect(frames == [.synReply(streamID: 1, headers: [:], fin: false), .ping(id: 3)])
        _ = try channel.finish()
    }
}
