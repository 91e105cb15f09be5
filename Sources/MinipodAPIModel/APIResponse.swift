import Foundation
import MinipodKube

/// What a handler answers: a whole body, or a stream the server layer feeds.
public enum APIResponse {
    case body(status: Int, data: Data, contentType: String, warnings: [String])
    case watch(WatchRequest)
    case logs(LogRequest)

    public static func json(_ object: Any, status: Int = 200, contentType: String = "application/json", warnings: [String] = []) -> APIResponse {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return .body(status: status, data: data, contentType: contentType, warnings: warnings)
    }

    public static func failure(_ status: APIStatus) -> APIResponse {
        .body(status: status.code, data: status.json, contentType: "application/json", warnings: [])
    }

    public static func text(_ text: String, status: Int = 200) -> APIResponse {
        .body(status: status, data: Data(text.utf8), contentType: "text/plain; charset=utf-8", warnings: [])
    }
}

/// A watch of pods, as `GET …/pods?watch=true` asks for it.
public struct WatchRequest: Sendable {
    public enum Resource: Sendable { case pods, namespaces, nodes, events }
    public var resource: Resource
    public var namespace: String?
    public var labelSelector: LabelSelector?
    public var fieldSelector: FieldSelector
    /// nil or 0: begin with the current objects as ADDED, then changes.
    public var resourceVersion: Int?
    public var timeoutSeconds: Int?
    public var table: Bool
    public var bookmarks: Bool

    public init(
        resource: Resource, namespace: String?, labelSelector: LabelSelector?, fieldSelector: FieldSelector,
        resourceVersion: Int?, timeoutSeconds: Int?, table: Bool, bookmarks: Bool
    ) {
        self.resource = resource
        self.namespace = namespace
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.resourceVersion = resourceVersion
        self.timeoutSeconds = timeoutSeconds
        self.table = table
        self.bookmarks = bookmarks
    }

    public func matches(_ pod: Pod) -> Bool {
        if let namespace, (pod.metadata.namespace ?? "default") != namespace { return false }
        if let labelSelector, !labelSelector.matches(pod.metadata.labels) { return false }
        return fieldSelector.matches { FieldSelector.podField(pod, $0) }
    }
}

public struct LogRequest: Sendable {
    public var key: String
    public var pod: Pod
    public var containers: [String]
    public var follow: Bool
    public var previous: Bool
    public var timestamps: Bool
    public var tail: Int?
    public var sinceSeconds: Int?
    public var sinceTime: Date?
    public var limitBytes: Int?

    public init(
        key: String, pod: Pod, containers: [String], follow: Bool, previous: Bool, timestamps: Bool,
        tail: Int?, sinceSeconds: Int?, sinceTime: Date?, limitBytes: Int?
    ) {
        self.key = key
        self.pod = pod
        self.containers = containers
        self.follow = follow
        self.previous = previous
        self.timestamps = timestamps
        self.tail = tail
        self.sinceSeconds = sinceSeconds
        self.sinceTime = sinceTime
        self.limitBytes = limitBytes
    }
}

/// One event of a watch stream, a JSON line.
public enum WatchEvent {
    public static func line(type: String, object: Any) -> Data {
        var data =
            (try? JSONSerialization.data(withJSONObject: ["type": type, "object": object], options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        data.append(UInt8(ascii: "\n"))
        return data
    }

    /// The pod as a watcher asked for it: the object, or a one-row Table.
    public static func object(for pod: Pod, table: Bool, now: Date = Date()) -> Any {
        let object = PodJSON.object(pod)
        guard table else { return object }
        return Tables.pods([(pod, object)], resourceVersion: pod.metadata.resourceVersion ?? "")
    }
}

/// Pods as JSON objects: the Codable model, which is the API's shape.
public enum PodJSON {
    public static func object(_ pod: Pod) -> [String: Any] {
        guard let data = try? JSONEncoder().encode(pod),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return [:] }
        return object
    }
}
