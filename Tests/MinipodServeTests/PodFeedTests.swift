import Foundation
import MinipodAPIModel
import MinipodKube
import MinipodPod
import MinipodSystem
import Testing

@testable import MinipodServe

/// The change feed on a scratch store (no root, no pods running): every saved version
/// reaches a watcher, a watch resumes from a list's version, one older than the feed
/// keeps gets 410 Expired, a pod whose directory goes is DELETED.
final class PodFeedTests {
    let base = NSTemporaryDirectory() + "pod-feed-\(UUID().uuidString)"
    let paths: PodPaths
    let store: PodStore

    deinit { try? FileManager.default.removeItem(atPath: base) }

    init() throws {
        paths = PodPaths(root: base + "/root", state: base + "/run", logs: base + "/log", cniConfig: base + "/cni")
        store = PodStore(paths: paths)
    }

    func save(_ name: String, phase: String) throws {
        let key = PodPaths.key(namespace: "default", name: name)
        if !store.exists(key) { try? store.reserve(key) }
        var pod = Pod(metadata: ObjectMeta(name: name, namespace: "default", uid: name), spec: PodSpec(containers: []))
        pod.status = PodStatus(phase: phase)
        try store.save(pod, key: key)
    }

    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [String] = []
        func append(_ data: Data) {
            lock.lock()
            items.append(String(decoding: data, as: UTF8.self))
            lock.unlock()
        }
        var all: [String] {
            lock.lock()
            defer { lock.unlock() }
            return items
        }
    }

    func watch(from version: Int?) throws -> WatchRequest {
        WatchRequest(
            resource: .pods, namespace: "default", labelSelector: nil, fieldSelector: try FieldSelector(nil, allowed: [], kind: ""),
            resourceVersion: version, timeoutSeconds: nil, table: false, bookmarks: false)
    }

    func eventually(_ check: () -> Bool) -> Bool {
        for _ in 0..<1000 where !check() { usleep(10_000) }  // 10 s: CI machines compile beside the tests
        return check()
    }

    @Test func everyVersionReachesAWatcherAndOldVersionsAreExpired() throws {
        try save("a", phase: "Pending")
        let feed = PodFeed(paths: paths, capacity: 3)
        try feed.start()
        let listed = feed.snapshot(namespace: "default")
        #expect(listed.pods.map(\.pod.metadata.name) == ["a"])
        let lines = Lines()
        _ = feed.subscribe(try watch(from: listed.resourceVersion), send: lines.append)
        try save("a", phase: "Running")
        try save("b", phase: "Pending")
        #expect(eventually { lines.all.count == 2 }, "\(lines.all)")
        #expect(lines.all.first?.contains("\"MODIFIED\"") == true && lines.all.first?.contains("Running") == true)
        #expect(lines.all.last?.contains("\"ADDED\"") == true)
        // More events than the feed keeps: a watch from the first list's version is too old.
        for phase in ["Running", "Succeeded", "Failed"] { try save("b", phase: phase) }
        #expect(eventually { lines.all.count == 5 })
        let late = Lines()
        #expect(feed.subscribe(try watch(from: listed.resourceVersion), send: late.append) == nil)
        #expect(
            late.all.count == 1 && late.all[0].contains("\"ERROR\"") && late.all[0].contains("410") && late.all[0].contains("Expired"), "\(late.all)")
        // A pod whose state directory goes is DELETED, with a newer version.
        try FileIO.removeTree(paths.runDir(PodPaths.key(namespace: "default", name: "a")))
        #expect(eventually { lines.all.contains { $0.contains("\"DELETED\"") } }, "\(lines.all)")
        #expect(feed.snapshot(namespace: "default").pods.map(\.pod.metadata.name) == ["b"])
    }
}
