import Foundation
import Testing

@testable import MinipodSystem

struct SecureJoinTests {
    @Test func symlinksCannotLeaveTheRoot() throws {
        let root = NSTemporaryDirectory() + "sj-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/etc", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: root + "/escape", withDestinationPath: "/etc")
        try FileManager.default.createSymbolicLink(atPath: root + "/up", withDestinationPath: "../../../..")
        #expect(try secureJoin(root: root, "/escape/passwd") == root + "/etc/passwd")
        #expect(try secureJoin(root: root, "/up/etc/shadow") == root + "/etc/shadow")
        #expect(try secureJoin(root: root, "/../../tmp") == root + "/tmp")
        try FileManager.default.createSymbolicLink(atPath: root + "/loop", withDestinationPath: "/loop")
        #expect(throws: MinipodError.self) { try secureJoin(root: root, "/loop/x") }
    }
}
