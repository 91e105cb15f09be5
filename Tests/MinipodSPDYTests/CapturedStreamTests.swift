import Foundation
import Testing

@testable import MinipodSPDY

/// Bytes kubectl itself wrote, captured from `kubectl.1.28 exec -i p -- cat` against a
/// listener that answered the SPDY upgrade and recorded what followed: its first
/// SYN_STREAM alone (the listener sent no SYN_REPLY), and a whole session with a
/// listener that replied (Python's zlib with the dictionary): four SYN_STREAMs whose
/// header blocks after the first only decode with the context the first left, then
/// stdin's DATA and its FIN.
struct CapturedStreamTests {
    static func fixture(_ name: String) throws -> [UInt8] {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)").path
        let hex = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(try #require(UInt8(hex[index..<next], radix: 16)))
            index = next
        }
        return bytes
    }

    @Test func kubectlsExecSynStreamDecodes() throws {
        var decoder = SPDYFrameDecoder()
        decoder.feed(try Self.fixture("kubectl-1.28-exec-syn-stream.hex"))
        guard case .synStream(let syn) = try decoder.nextFrame() else {
            Issue.record("not a SYN_STREAM")
            return
        }
        #expect(syn.streamID == 1 && !syn.fin && !syn.unidirectional)
        #expect(syn.headers["streamType"] == "error")
        #expect(try decoder.nextFrame() == nil)
    }

    /// The captured bytes split anywhere still give that one frame.
    @Test func kubectlsBytesSplitAnywhere() throws {
        let bytes = try Self.fixture("kubectl-1.28-exec-syn-stream.hex")
        for cut in 0...bytes.count {
            var decoder = SPDYFrameDecoder()
            decoder.feed(bytes[..<cut])
            let early = try decoder.nextFrame()
            decoder.feed(bytes[cut...])
            let frame = try early ?? decoder.nextFrame()
            guard case .synStream(let syn) = frame else {
                Issue.record("cut at \(cut): \(String(describing: frame))")
                continue
            }
            #expect(syn.headers["streamtype"] == "error")
        }
    }

    @Test func kubectlsExecSessionDecodesWithOneContextAcrossFrames() throws {
        let bytes = try Self.fixture("kubectl-1.28-exec-stdin-session.hex")
        func streamTypes(_ frames: [SPDYFrame]) -> [String] {
            frames.compactMap {
                if case .synStream(let syn) = $0 { return "\(syn.streamID):\(syn.headers["streamType"] ?? "?")" } else { return nil }
            }
        }
        let expectedTail: [SPDYFrame] = [.data(streamID: 3, payload: Array("hello\n".utf8), fin: false), .data(streamID: 3, payload: [], fin: true)]
        for cut in 0...bytes.count {
            var decoder = SPDYFrameDecoder()
            var frames: [SPDYFrame] = []
            for piece in [bytes[..<cut], bytes[cut...]] {
                decoder.feed(piece)
                while let frame = try decoder.nextFrame() { frames.append(frame) }
            }
            #expect(streamTypes(frames) == ["1:error", "3:stdin", "5:stdout", "7:stderr"], "cut at \(cut)")
            #expect(Array(frames.suffix(2)) == expectedTail, "cut at \(cut)")
        }
    }
}
