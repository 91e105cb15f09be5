import Foundation
import Testing

@testable import MinipodImage

struct ScratchTests {
    @Test func scratchOfDeadLoadsAndPullsIsRemovedOthersKept() throws {
        let root = NSTemporaryDirectory() + "/minipod-scratch-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        // pid_max is at most 2^22: 999999999 never runs.
        let dead = ["pull-999999999-1", "load-999999999-2", "layer-999999999-3"]
        let kept = ["pull-\(getpid())-1", "pull-1-7", "other-999999999-1", "pull-x-1"]
        for name in dead + kept {
            try FileManager.default.createDirectory(atPath: "\(root)/tmp/\(name)/blobs", withIntermediateDirectories: true)
        }
        ImageStore(root: root).removeStaleScratch()
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: root + "/tmp"))
        #expect(left == Set(kept))
    }
}
