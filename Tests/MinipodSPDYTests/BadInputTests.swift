import Testing

@testable import MinipodSPDY

/// Malformed input is an error the session can answer, never a crash or a hang.
struct BadInputTests {
    func decode(_ bytes: [UInt8], maxFrameLength: Int = SPDYFrameDecoder.defaultMaxFrameLength) throws -> [SPDYFrame] {
        var decoder = SPDYFrameDecoder(maxFrameLength: maxFrameLength)
        decoder.feed(bytes)
        var out: [SPDYFrame] = []
        while let frame = try decoder.nextFrame() { out.append(frame) }
        return out
    }

    @Test func aFrameLargerThanTheLimitIsRefusedBeforeItArrives() throws {
        let header: [UInt8] = [0, 0, 0, 1, 0, 0x10, 0, 1]  // a DATA frame announcing 1 MiB + 1
        #expect(throws: SPDYError.frameTooLarge(length: (1 << 20) + 1, limit: 1 << 20)) { try decode(header, maxFrameLength: 1 << 20) }
        #expect(try decode(header).isEmpty, "under the default limit it just waits for the rest")
    }

    @Test func anotherVersionIsRefused() {
        #expect(throws: SPDYError.unsupportedVersion(2)) { try decode([0x80, 2, 0, 6, 0, 0, 0, 4, 0, 0, 0, 1]) }
    }

    @Test func truncatedControlFramesAreMalformed() {
        #expect(throws: SPDYError.self) { try decode([0x80, 3, 0, 6, 0, 0, 0, 2, 0, 1]) }  // PING with 2 bytes
        #expect(throws: SPDYError.self) { try decode([0x80, 3, 0, 3, 0, 0, 0, 4, 0, 0, 0, 1]) }  // RST_STREAM without status
        #expect(throws: SPDYError.self) { try decode([0x80, 3, 0, 4, 0, 0, 0, 4, 0, 0, 0, 9]) }  // SETTINGS: 9 entries, none there
    }

    @Test func aHeaderBlockThatIsNotZlibIsAnError() {
        let body: [UInt8] = [0, 0, 0, 1, 0, 0, 0, 0, 0, 0] + Array(repeating: 0x55, count: 20)
        #expect(throws: SPDYError.self) { try decode([0x80, 3, 0, 1, 0, 0, 0, UInt8(body.count)] + body) }
    }

    @Test func aHeaderBlockWithLyingLengthsIsMalformed() {
        let deflater = HeaderDeflater()
        for block: [UInt8] in [[0, 0, 0, 1, 0, 0, 0, 9, 0x61], [0xff, 0xff, 0xff, 0xff], [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]] {
            let body: [UInt8] = [0, 0, 0, 1] + deflater.compress(block)
            #expect(throws: SPDYError.self) { try decode([0x80, 3, 0, 2, 0, 0, 0, UInt8(body.count)] + body) }
        }
    }

    @Test func streamZeroIsRefusedForStreamFrames() {
        let body: [UInt8] = [0, 0, 0, 0] + HeaderDeflater().compress(HeaderBlock.encode([:]))
        #expect(throws: SPDYError.malformed("stream id 0 is reserved")) { try decode([0x80, 3, 0, 2, 0, 0, 0, UInt8(body.count)] + body) }
    }

    @Test func unknownControlFramesAreSkipped() throws {
        #expect(try decode([0x80, 3, 0, 0x63, 0, 0, 0, 2, 1, 2, 0x80, 3, 0, 6, 0, 0, 0, 4, 0, 0, 0, 7]) == [.ping(id: 7)])
    }

    @Test func randomBytesNeverCrash() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            var bytes = (0..<Int.random(in: 0..<64, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if Bool.random(using: &generator) { bytes = [0x80, 3, 0, UInt8.random(in: 1...9, using: &generator)] + bytes }
            _ = try? decode(bytes)
        }
    }
}
