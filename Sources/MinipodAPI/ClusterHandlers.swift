import Foundation
import MinipodAPIModel
import MinipodKube
import MinipodPod
import MinipodSystem

/// Namespaces, the Node and Events: what kubectl reads beside pods.
extension APIHandlers {
    func cluster(_ request: APIRequest, _ route: APIRoute) throws -> APIResponse {
        let method = request.method
        switch route {
        case .namespaces:
            if method == "POST" { return try createNamespace(request) }
            guard method == "GET" else { throw APIStatus.methodNotAllowed(method) }
            let items = try filtered(namespaceObjects(), request, allowed: FieldSelector.clusterFields)
            if request.flag("watch") { return watch(.namespaces, request) }
            return request.wantsTable
                ? .json(Tables.namespaces(items, resourceVersion: storeVersion), contentType: Tables.contentType)
                : .json(ClusterObjects.list(kind: "NamespaceList", items: items, resourceVersion: storeVersion))
        case .namespace(let name):
            switch method {
            case "GET":
                guard let ns = namespaceObjects().first(where: { FieldSelector.jsonField($0, "metadata.name") == name }) else {
                    throw APIStatus.notFound("namespaces", name)
                }
                return request.wantsTable ? .json(Tables.namespaces([ns], resourceVersion: storeVersion), contentType: Tables.contentType) : .json(ns)
            case "DELETE": return try deleteNamespace(request, name: name)
            default: throw APIStatus.methodNotAllowed(method)
            }
        case .nodes:
            guard method == "GET" else { throw APIStatus.methodNotAllowed(method) }
            let items = try filtered([node], request, allowed: FieldSelector.clusterFields)
            if request.flag("watch") { return watch(.nodes, request) }
            return request.wantsTable
                ? .json(Tables.nodes(items, resourceVersion: storeVersion), contentType: Tables.contentType)
                : .json(ClusterObjects.list(kind: "NodeList", items: items, resourceVersion: storeVersion))
        case .node(let name):
            guard method == "GET" else { throw APIStatus.methodNotAllowed(method) }
            guard name == host.name else { throw APIStatus.notFound("nodes", name) }
            return request.wantsTable ? .json(Tables.nodes([node], resourceVersion: storeVersion), contentType: Tables.contentType) : .json(node)
        case .events(let namespace):
            guard method == "GET" else { throw APIStatus.methodNotAllowed(method) }
            let items = try filtered(events(namespace: namespace), request, allowed: FieldSelector.eventFields)
            if request.flag("watch") { return watch(.events, request) }
            return request.wantsTable
                ? .json(Tables.events(items, resourceVersion: storeVersion), contentType: Tables.contentType)
                : .json(ClusterObjects.list(kind: "EventList", items: items, resourceVersion: storeVersion))
        default:
            throw APIStatus(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
        }
    }

    public var node: [String: Any] { ClusterObjects.node(host, resourceVersion: storeVersion) }

    public func namespaceObjects() -> [[String: Any]] {
        namespaces.list().map { ClusterObjects.namespace($0.name, created: $0.created, resourceVersion: storeVersion, terminating: $0.terminating) }
    }

    func filtered(_ items: [[String: Any]], _ request: APIRequest, allowed: Set<String>) throws -> [[String: Any]] {
        let fields = try FieldSelector(request.parameter("fieldSelector"), allowed: allowed, kind: "")
        let labels = try request.parameter("labelSelector").flatMap { $0.isEmpty ? nil : try LabelSelector($0) }
        return items.filter { item in
            let itemLabels = (item["metadata"] as? [String: Any])?["labels"] as? [String: String]
            return fields.matches { FieldSelector.jsonField(item, $0) } && (labels?.matches(itemLabels) ?? true)
        }
    }

    func watch(_ resource: WatchRequest.Resource, _ request: APIRequest) -> APIResponse {
        .watch(
            WatchRequest(
                resource: resource, namespace: nil, labelSelector: nil,
                fieldSelector: (try? FieldSelector(request.parameter("fieldSelector"), allowed: FieldSelector.eventFields, kind: ""))
                    ?? (try! FieldSelector(nil, allowed: [], kind: "")),
                resourceVersion: request.integer("resourceVersion"), timeoutSeconds: request.integer("timeoutSeconds"),
                table: request.wantsTable, bookmarks: request.flag("allowWatchBookmarks")))
    }

    /// Every recorded event of every pod in `namespace` (all namespaces when nil).
    public func events(namespace: String?) -> [[String: Any]] {
        service.list(namespace: namespace).flatMap { pod in
            ClusterObjects.events(
                for: pod, recorded: service.events(namespace: pod.metadata.namespace ?? "default", name: pod.metadata.name),
                node: host.name)
        }
    }

    func createNamespace(_ request: APIRequest) throws -> APIResponse {
        let body = (try? JSONSerialization.jsonObject(with: request.body)) as? [String: Any]
        let sentName =
            (request.headers["content-type"] ?? "").hasPrefix(NamespaceProtobuf.contentType)
            ? NamespaceProtobuf.name(from: request.body) : (body?["metadata"] as? [String: Any])?["name"] as? String
        guard let name = sentName, !name.isEmpty else {
            throw APIStatus(
                code: 422, reason: "Invalid", message: "Namespace \"\" is invalid: metadata.name: Required value: name or generateName is required",
                details: .init(
                    name: "", kind: "Namespace",
                    causes: [.init(reason: "FieldValueRequired", message: "Required value: name or generateName is required", field: "metadata.name")]
                ))
        }
        do {
            let entry = try namespaces.create(name)
            return .json(ClusterObjects.namespace(entry.name, created: entry.created, resourceVersion: storeVersion), status: 201)
        } catch let e as MinipodError where e.code == .alreadyExists {
            throw APIStatus(code: 409, reason: "AlreadyExists", message: e.message, details: .init(name: name, kind: "namespaces"))
        } catch let e as MinipodError where e.code == .invalidManifest {
            throw APIStatus(
                code: 422, reason: "Invalid", message: "Namespace \"\(name)\" is invalid: metadata.name: Invalid value: \"\(name)\": \(e.message)",
                details: .init(
                    name: name, kind: "Namespace", causes: [.init(reason: "FieldValueInvalid", message: e.message, field: "metadata.name")]))
        }
    }

    /// Deleting a namespace deletes its pods (each with its grace period), as the namespace controller does.
    func deleteNamespace(_ request: APIRequest, name: String) throws -> APIResponse {
        do {
            let created = namespaces.list().first { $0.name == name }?.created ?? KubeTime.now()
            try namespaces.remove(name)
            for pod in service.list(namespace: name) {
                if let (_, pending) = try? service.requestDeletion(namespace: name, name: pod.metadata.name, grace: gracePeriod(request)) {
                    finishDeletion(pending)
                }
            }
            return .json(ClusterObjects.namespace(name, created: created, resourceVersion: storeVersion, terminating: true))
        } catch let e as MinipodError where e.code == .invalidArgument {
            throw APIStatus(code: 403, reason: "Forbidden", message: e.message, details: .init(name: name, kind: "namespaces"))
        } catch let e as MinipodError where e.code == .notFound {
            throw APIStatus.notFound("namespaces", name)
        }
    }
}
