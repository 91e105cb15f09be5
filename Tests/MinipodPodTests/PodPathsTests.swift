import Foundation
import Testing

@testable import MinipodPod

/// A pod's name becomes file names (its state directory, netns file and log
/// directory); names up to 253 characters, with the namespace and uid beside
/// them, must still fit the 255 bytes a file name holds, and stay unique.
struct PodPathsTests {
    let longest = String(repeating: "a", count: 200) + "." + String(repeating: "b", count: 52)
    let uid = "0b0e3f9c-8d1e-4a6b-9f1a-2c3d4e5f6a7b"

    @Test func shortNamesKeepTheirPlainKey() {
        #expect(PodPaths.key(namespace: nil, name: "web.v1.example") == "default_web.v1.example")
        #expect(PodPaths.key(namespace: "team", name: "web") == "team_web")
    }

    @Test func longNamesGetAKeyThatFitsAFileNameAndStaysUnique() {
        let namespace = String(repeating: "n", count: 63)
        let key = PodPaths.key(namespace: namespace, name: longest)
        #expect(key.utf8.count <= 255)
        #expect(key.hasPrefix(namespace + "_aaaa"))
        #expect(key == PodPaths.key(namespace: namespace, name: longest), "the same pod always has the same key")
        #expect(key != PodPaths.key(namespace: namespace, name: String(longest.dropLast()) + "c"))
        #expect(PodPaths.key(namespace: nil, name: longest).utf8.count <= 255)
    }

    @Test func logDirectoryFitsAFileNameAndKeepsTheUID() {
        let paths = PodPaths(logs: "/logs")
        #expect(paths.logDir(namespace: "default", name: "web", uid: uid) == "/logs/pods/default_web_\(uid)")
        let namespace = String(repeating: "n", count: 63)
        let dir = paths.logDir(namespace: namespace, name: longest, uid: uid)
        let last = String(dir.split(separator: "/").last!)
        #expect(last.utf8.count <= 255)
        #expect(last.hasPrefix(namespace + "_aaaa") && last.hasSuffix("_" + uid), "\(last)")
    }
}
