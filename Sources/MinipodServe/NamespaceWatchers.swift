import Foundation
import MinipodAPI
import MinipodAPIModel

/// Watches of namespaces: `kubectl delete namespace` waits for DELETED, which comes
/// when the namespace's last pod is gone. Re-checked when the pod feed publishes
/// and when a namespace is made or deleted through the API; nothing polls.
final class NamespaceWatchers: @unchecked Sendable {
    struct Watcher {
        let request: WatchRequest
        let send: (Data) -> Void
        var seen: [String: [String: Any]]
    }

    private let lock = NSLock()
    private var watchers: [Int: Watcher] = [:]
    private var next = 0
    private let current: () -> [[String: Any]]

    init(current: @escaping () -> [[String: Any]]) { self.current = current }

    func add(_ request: WatchRequest, send: @escaping (Data) -> Void) -> Int {
        let items = current().filter { matches(request, $0) }
        for item in items { send(WatchEvent.line(type: "ADDED", object: item)) }
        lock.lock()
        defer { lock.unlock() }
        next += 1
        watchers[next] = Watcher(request: request, send: send, seen: Dictionary(items.map { (name($0), $0) }, uniquingKeysWith: { a, _ in a }))
        return next
    }

    func remove(_ id: Int) {
        lock.lock()
        watchers.removeValue(forKey: id)
        lock.unlock()
    }

    func changed() {
        lock.lock()
        let ids = Array(watchers.keys)
        lock.unlock()
        guard !ids.isEmpty else { return }
        let items = current()
        lock.lock()
        defer { lock.unlock() }
        for id in ids {
            guard var watcher = watchers[id] else { continue }
            let now = Dictionary(items.filter { matches(watcher.request, $0) }.map { (name($0), $0) }, uniquingKeysWith: { a, _ in a })
            for (gone, object) in watcher.seen where now[gone] == nil { watcher.send(WatchEvent.line(type: "DELETED", object: object)) }
            for (added, object) in now where watcher.seen[added] == nil { watcher.send(WatchEvent.line(type: "ADDED", object: object)) }
            watcher.seen = now
            watchers[id] = watcher
        }
    }

    private func name(_ item: [String: Any]) -> String { FieldSelector.jsonField(item, "metadata.name") }

    private func matches(_ request: WatchRequest, _ item: [String: Any]) -> Bool {
        request.fieldSelector.matches { FieldSelector.jsonField(item, $0) }
    }
}
