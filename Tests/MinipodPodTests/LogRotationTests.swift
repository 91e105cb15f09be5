import Foundation
import Testing

@testable import MinipodPod

/// kubelet's containerLogMaxSize/containerLogMaxFiles, and `logs -f` across a rotation.
struct LogRotationTests {
    @Test func defaultsAreKubeletsAndTheEnvironmentSetsBoth() {
        #expect(LogRotation(environment: [:]) == LogRotation(maxSize: 10 * 1024 * 1024, maxFiles: 5))
        #expect(
            LogRotation(environment: ["MINIPOD_LOG_MAX_SIZE": "200000", "MINIPOD_LOG_MAX_FILES": "3"]) == LogRotation(maxSize: 200_000, maxFiles: 3))
        #expect(LogRotation(environment: ["MINIPOD_LOG_MAX_SIZE": "1Mi"]).maxSize == 1 << 20)
        #expect(LogRotation(environment: ["MINIPOD_LOG_MAX_SIZE": "lots", "MINIPOD_LOG_MAX_FILES": "x"]) == LogRotation())
        #expect(LogRotation(environment: ["MINIPOD_LOG_MAX_FILES": "1"]).maxFiles == 2, "kubelet requires at least 2")
    }

    @Test func renamesShiftOldestFirstAndKeepMaxFilesInAll() {
        let renames = LogRotation(maxFiles: 5).renames(of: "0.log").map { "\($0.from)>\($0.to)" }
        #expect(renames == ["0.log.3>0.log.4", "0.log.2>0.log.3", "0.log.1>0.log.2", "0.log>0.log.1"])
        #expect(LogRotation(maxFiles: 2).renames(of: "0.log").map { "\($0.from)>\($0.to)" } == ["0.log>0.log.1"])
    }

    @Test func aBatchIsCutAtTheLastWholeRecordThatFits() {
        let batch = Array("aaa\nbbb\nccc\n".utf8)[...]
        #expect(LogRotation.wholeRecords(of: batch, within: 100) == 12)
        #expect(LogRotation.wholeRecords(of: batch, within: 9) == 8)
        #expect(LogRotation.wholeRecords(of: batch, within: 3) == nil)
        #expect(LogRotation.wholeRecords(of: batch, within: -5) == nil)
    }

    func temporaryDirectory() throws -> String {
        let dir = NSTemporaryDirectory() + "minipod-logrotation-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Batches of records, files rotated many times: no file passes the limit, maxFiles are kept.
    @Test func filesStayWithinTheLimitAndMaxFilesAreKept() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let log = try LogFile(path: dir + "/0.log", rotation: LogRotation(maxSize: 1000, maxFiles: 3))
        log.retain()
        for batch in 0..<50 {
            log.write(Array((0..<9).map { "T stdout F batch \(batch) line \($0)\n" }.joined().utf8))
        }
        log.release()
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        #expect(files == ["0.log", "0.log.1", "0.log.2"])
        for file in files {
            let size = try FileManager.default.attributesOfItem(atPath: dir + "/" + file)[.size] as? Int ?? 0
            #expect(size <= 1000, "\(file): \(size)")
        }
        let newest = try String(contentsOfFile: dir + "/0.log", encoding: .utf8)
        #expect(newest.hasSuffix("T stdout F batch 49 line 8\n"))
    }

    /// A follower that keeps up reads every line once, in order, across many rotations.
    @Test func aFollowerReadsEveryLineOnceAcrossRotations() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/0.log"
        let log = try LogFile(path: path, rotation: LogRotation(maxSize: 300, maxFiles: 3))
        log.retain()
        defer { log.release() }
        let follower = try #require(LogFollower(path: path))
        var read: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 64)  // smaller than a file: a rotation meets a half-read file
        func drain() {
            while case let n = buf.withUnsafeMutableBytes({ follower.read(into: $0) }), n > 0 { read += buf[0..<n] }
        }
        for i in 0..<2000 {
            log.write(Array("line \(i)\n".utf8))
            if i % 7 == 0 { drain() }
        }
        drain()
        let lines = String(decoding: read, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(lines == (0..<2000).map { "line \($0)" })
    }
}
