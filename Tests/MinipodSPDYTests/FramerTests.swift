import Foundation
import Testing

@testable import MinipodSPDY

/// Every frame kind survives encode → decode, with header blocks through one
/// compression context per direction that lives across frames.
struct FramerTests {
    static let frames: [SPDYFrame] = [
        .synStream(.init(streamID: 1, priority: 3, headers: ["streamType": "error", "port": "80", "requestID": "0"])),
        .synStream(.init(streamID: 3, headers: ["streamtype": "data", "port": "80", "requestid": "0"], fin: true, unidirectional: true)),
        .synReply(streamID: 1, headers: [:], fin: false),
        .headers(streamID: 3, headers: ["x": "a\0b"], fin: true),
        .data(streamID: 3, payload: Array("hello".utf8), fin: false),
        .data(streamID: 3, payload: [], fin: true),
        .rstStream(streamID: 3, status: SPDYStatus.cancel),
        .settings([.init(flags: 1, id: 7, value: 65536), .init(id: 4, value: 100)]),
        .ping(id: 1),
        .goAway(lastGoodStreamID: 5, status: 0),
        .windowUpdate(streamID: 3, delta: 32768),
    ]

    static func wire(_ frames: [SPDYFrame]) -> [UInt8] {
        let encoder = SPDYFrameEncoder()
        return frames.flatMap(encoder.encode)
    }

    static func decodeAll(_ decoder: inout SPDYFrameDecoder) throws -> [SPDYFrame] {
        var out: [SPDYFrame] = []
        while let frame = try decoder.nextFrame() { out.append(frame) }
        return out
    }

    @Test func everyFrameRoundTrips() throws {
        var decoder = SPDYFrameDecoder()
        decoder.feed(Self.wire(Self.frames))
        #expect(try Self.decodeAll(&decoder) == Self.frames)
        #expect(decoder.bufferedBytes == 0)
    }

    @Test func framesSplitAtEveryByteBoundaryDecodeTheSame() throws {
        let bytes = Self.wire(Self.frames)
        for cut in 0...bytes.count {
            var decoder = SPDYFrameDecoder()
            decoder.feed(bytes[..<cut])
            var got = try Self.decodeAll(&decoder)
            decoder.feed(bytes[cut...])
            got += try Self.decodeAll(&decoder)
            #expect(got == Self.frames, "cut at \(cut)")
        }
    }

    @Test func bytesFedOneAtATimeDecodeTheSame() throws {
        var decoder = SPDYFrameDecoder()
        var got: [SPDYFrame] = []
        for byte in Self.wire(Self.frames) {
            decoder.feed([byte])
            got += try Self.decodeAll(&decoder)
        }
        #expect(got == Self.frames)
    }

    @Test func theDictionaryIsTheSpecsByteForByte() {
        #expect(SPDYDictionary.bytes.count == 1423)
        #expect(Array(SPDYDictionary.bytes.prefix(11)) == [0, 0, 0, 7] + Array("options".utf8))
        #expect(String(decoding: SPDYDictionary.bytes.suffix(6), as: UTF8.self) == "enq=0.")
        // zlib's dictionary id (its Adler-32) is what a peer's compressed stream names in its header.
        let adler = SPDYDictionary.bytes.reduce(into: (a: UInt32(1), b: UInt32(0))) { sums, byte in
            sums.a = (sums.a + UInt32(byte)) % 65521
            sums.b = (sums.b + sums.a) % 65521
        }
        #expect(adler.b << 16 | adler.a == 0xe3c6_a7c2)
    }

    @Test func largeDataFramesKeepTheirPayload() throws {
        let payload = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        var decoder = SPDYFrameDecoder()
        decoder.feed(Self.wire([.data(streamID: 5, payload: payload, fin: true)]))
        #expect(try decoder.nextFrame() == .data(streamID: 5, payload: payload, fin: true))
    }
}
