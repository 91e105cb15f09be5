import Foundation
import MinipodKube
import Testing

@testable import MinipodPod

struct CRILogTests {
    @Test func timestampsAreRFC3339NanoInUTCWithoutTrailingZeros() {
        #expect(CRILog.timestamp(seconds: 1_769_421_600, nanoseconds: 123_400_000) == "2026-01-26T10:00:00.1234Z")
        #expect(CRILog.timestamp(seconds: 1_769_421_600, nanoseconds: 0) == "2026-01-26T10:00:00Z")
        #expect(CRILog.timestamp(seconds: 1_769_421_600, nanoseconds: 5) == "2026-01-26T10:00:00.000000005Z")
    }

    @Test func aLineIsOneFullRecord() {
        let bytes = CRILog.encode(line: Array("hello world".utf8)[...], stream: "stdout", complete: true, timestamp: "T")
        #expect(String(decoding: bytes, as: UTF8.self) == "T stdout F hello world\n")
        #expect(CRILog.parse("T stderr F a b  c") == CRILog.Record(timestamp: "T", stream: "stderr", partial: false, content: "a b  c"))
        #expect(CRILog.parse("T stdout F ") == CRILog.Record(timestamp: "T", stream: "stdout", partial: false, content: ""))
        #expect(CRILog.parse("garbage") == nil)
    }

    @Test func longLinesSplitIntoPartialRecordsAt16KiB() {
        let line = [UInt8](repeating: UInt8(ascii: "x"), count: 40_000)
        let text = String(decoding: CRILog.encode(line: line[...], stream: "stdout", complete: true, timestamp: "T"), as: UTF8.self)
        let records = text.split(separator: "\n").compactMap { CRILog.parse($0) }
        #expect(records.map(\.partial) == [true, true, false])
        #expect(records.map { $0.content.count } == [16_384, 16_384, 7_232])
    }
}

struct BackoffTests {
    @Test func restartsImmediatelyThenDoublesFromTenSecondsToFiveMinutes() {
        #expect((1...8).map { ContainerSlot.backoffDelay(crashes: $0) } == [0, 10, 20, 40, 80, 160, 300, 300])
    }
}

struct KubeTimeTests {
    @Test func formatsAndParsesRFC3339WithoutICU() {
        #expect(KubeTime.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00Z")
        #expect(KubeTime.format(Date(timeIntervalSince1970: 1_798_761_599.9)) == "2026-12-31T23:59:59Z")
        #expect(KubeTime.parse("2026-12-02T07:10:03Z") == Date(timeIntervalSince1970: 1_796_195_403))
        #expect(KubeTime.parse("2026-12-02T08:10:03+01:00") == Date(timeIntervalSince1970: 1_796_195_403))
        #expect(KubeTime.parse("2026-12-02T07:10:03.123456789Z").map { $0.timeIntervalSince1970 } ?? 0 > 1_796_195_403.12)
        for bad in ["", "2026-12-02", "2026-12-02T07:10:03", "2026-13-02T07:10:03Z", "2026-12-02T07:10:03Zjunk", "2026-12-02T07:10:03.Z"] {
            #expect(KubeTime.parse(bad) == nil, "\(bad)")
        }
    }
}

/// The pump's encoder writes what CRILog.encode wrote line by line, whatever the reads' sizes.
struct CRIRecordEncoderTests {
    func encoded(_ reads: [String], stream: String = "stdout") -> String {
        var encoder = CRIRecordEncoder(stream: stream)
        var out: [UInt8] = []
        for read in reads { Array(read.utf8).withUnsafeBytes { encoder.encode($0, timestamp: "T", into: &out) } }
        encoder.finish(timestamp: "E", into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func linesBecomeFullRecordsAndAnUnfinishedLineWaits() {
        #expect(encoded(["a\nbc\n\n"]) == "T stdout F a\nT stdout F bc\nT stdout F \n")
        #expect(encoded(["he", "llo\nwor", "ld\n"], stream: "stderr") == "T stderr F hello\nT stderr F world\n")
        #expect(encoded(["no newline at the end"]) == "E stdout P no newline at the end\n")
        #expect(encoded([]) == "")
    }

    @Test func longLinesSplitAt16KiBAsBefore() {
        let long = String(repeating: "x", count: 40_000)
        let records = encoded([long + "\nshort\n"]).split(separator: "\n").compactMap { CRILog.parse($0) }
        #expect(records.map(\.partial) == [true, true, false, false])
        #expect(records.map { $0.content.count } == [16_384, 16_384, 7_232, 5])
        // Unfinished and 16 KiB long already: written as a partial record, not held.
        let held = encoded([String(repeating: "y", count: 20_000)]).split(separator: "\n").compactMap { CRILog.parse($0) }
        #expect(held.map(\.partial) == [true, true] && held.map(\.timestamp) == ["T", "T"])
    }

    @Test func anyReadSizesGiveTheSameRecords() {
        let text = (0..<500).map { "line \($0) " + String(repeating: "z", count: $0 * 37 % 200) }.joined(separator: "\n") + "\n"
        let whole = encoded([text])
        for size in [1, 7, 64, 4096] {
            let bytes = Array(text.utf8)
            let reads = stride(from: 0, to: bytes.count, by: size).map { String(decoding: bytes[$0..<min($0 + size, bytes.count)], as: UTF8.self) }
            #expect(encoded(reads) == whole, "reads of \(size)")
        }
    }
}
