import Foundation
import MinipodKube
import MinipodSystem

/// Events as `kubectl describe` lists them (Created, Started, Killing, BackOff, Unhealthy, ...),
/// kept in the pod's run directory; repeats of the same event are counted, not appended.
public struct PodEvent: Codable, Equatable, Sendable {
    public var type: String  // Normal | Warning
    public var reason: String
    public var message: String
    public var firstTimestamp: String
    public var lastTimestamp: String
    public var count: Int

    public init(type: String, reason: String, message: String, firstTimestamp: String, lastTimestamp: String, count: Int) {
        self.type = type
        self.reason = reason
        self.message = message
        self.firstTimestamp = firstTimestamp
        self.lastTimestamp = lastTimestamp
        self.count = count
    }
}

public enum PodEventLog {
    public static let limit = 200

    public static func load(_ path: String) -> [PodEvent] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return (try? JSONDecoder().decode([PodEvent].self, from: data)) ?? []
    }

    static func record(_ path: String, type: String = "Normal", reason: String, message: String) {
        var events = load(path)
        let now = KubeTime.now()
        if let i = events.lastIndex(where: { $0.reason == reason && $0.message == message }) {
            events[i].count += 1
            events[i].lastTimestamp = now
        } else {
            events.append(PodEvent(type: type, reason: reason, message: message, firstTimestamp: now, lastTimestamp: now, count: 1))
        }
        if events.count > limit { events.removeFirst(events.count - limit) }
        if let data = try? JSONEncoder().encode(events) {
            try? FileIO.writeAtomically(path, String(decoding: data, as: UTF8.self))
        }
    }
}
