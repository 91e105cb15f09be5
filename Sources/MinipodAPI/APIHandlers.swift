import Foundation
import MinipodAPIModel
import MinipodKube
import MinipodPod
import MinipodSystem

/// Answers core/v1 requests with the pod service: blocking calls (the server
/// runs them off its event loops). Streams (watch, logs) are described here and
/// fed by the server layer.
public struct APIHandlers {
    public var service: PodService
    public var namespaces: NamespaceStore
    public var host: ClusterObjects.Host
    public var serverAddress: String
    /// Waits for a deleted pod to be gone (and tears down what a lost supervisor left), off the request.
    public var finishDeletion: @Sendable (PodDeleter.Pending) -> Void
    /// The server's in-memory pods; without one, lists read the store.
    public var cache: PodCache?

    public init(
        service: PodService, host: ClusterObjects.Host, serverAddress: String,
        finishDeletion: @escaping @Sendable (PodDeleter.Pending) -> Void
    ) {
        self.service = service
        self.namespaces = NamespaceStore(paths: service.paths)
        self.host = host
        self.serverAddress = serverAddress
        self.finishDeletion = finishDeletion
    }

    var storeVersion: String { String(StoreVersion(paths: service.paths).current()) }

    public func handle(_ request: APIRequest) -> APIResponse {
        do {
            return try route(request, APIRoute(path: request.path))
        } catch let status as APIStatus {
            return .failure(status)
        } catch {
            return .failure(APIStatus.from(error))
        }
    }

    func route(_ request: APIRequest, _ route: APIRoute) throws -> APIResponse {
        let method = request.method
        switch route {
        case .version: return .json(Discovery.version())
        case .health: return .text("ok")
        case .apiVersions: return .json(Discovery.apiVersions(serverAddress: serverAddress))
        case .apiGroups: return .json(Discovery.apiGroups)
        case .coreResources: return .json(Discovery.coreResources)
        case .openAPIRoot: return .json(Discovery.openAPIRoot)
        case .openAPICore: return .json(Discovery.openAPICore)
        case .openAPIV2: return .body(status: 200, data: OpenAPIV2.document, contentType: OpenAPIV2.contentType, warnings: [])
        case .pods(let namespace):
            switch method {
            case "GET": return try listPods(request, namespace: namespace)
            case "POST":
                guard let namespace else { throw APIStatus.methodNotAllowed(method) }
                return try createPod(request, namespace: namespace)
            case "DELETE": return try deleteCollection(request, namespace: namespace)
            default: throw APIStatus.methodNotAllowed(method)
            }
        case .pod(let namespace, let name), .podStatus(let namespace, let name):
            switch method {
            case "GET": return try getPod(request, namespace: namespace, name: name)
            case "PUT": return try replacePod(request, namespace: namespace, name: name)
            case "PATCH": return try patchPod(request, namespace: namespace, name: name)
            case "DELETE": return try deletePod(request, namespace: namespace, name: name)
            default: throw APIStatus.methodNotAllowed(method)
            }
        case .podLog(let namespace, let name):
            return try logs(request, namespace: namespace, name: name)
        case .podSubresource(let namespace, let name, let subresource):
            throw try streamRefusal(request, namespace: namespace, name: name, subresource: subresource)
        case .namespaces, .namespace, .nodes, .node, .events:
            return try cluster(request, route)
        case .unknownResource(let resource):
            throw APIStatus.noResource(resource)
        case .notFound:
            throw APIStatus(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
        }
    }

    // MARK: pods

    func selectors(_ request: APIRequest) throws -> (LabelSelector?, FieldSelector) {
        let labels = try request.parameter("labelSelector").flatMap { $0.isEmpty ? nil : try LabelSelector($0) }
        let fields = try FieldSelector(request.parameter("fieldSelector"), allowed: FieldSelector.podFields, kind: "Pod")
        return (labels, fields)
    }

    func listPods(_ request: APIRequest, namespace: String?) throws -> APIResponse {
        let (labels, fields) = try selectors(request)
        if request.flag("watch") {
            return .watch(
                WatchRequest(
                    resource: .pods, namespace: namespace, labelSelector: labels, fieldSelector: fields,
                    resourceVersion: request.integer("resourceVersion"), timeoutSeconds: request.integer("timeoutSeconds"),
                    table: request.wantsTable, bookmarks: request.flag("allowWatchBookmarks")))
        }
        let filter = WatchRequest(
            resource: .pods, namespace: namespace, labelSelector: labels, fieldSelector: fields,
            resourceVersion: nil, timeoutSeconds: nil, table: false, bookmarks: false)
        let (all, version) = snapshot(namespace: namespace)
        let pods = all.filter { filter.matches($0.pod) }
        if request.wantsTable {
            let table = ListJSON.podTable(pods, resourceVersion: String(version), include: .init(request.parameter("includeObject")))
            return .body(status: 200, data: table, contentType: Tables.contentType, warnings: [])
        }
        return .body(status: 200, data: ListJSON.podList(pods, resourceVersion: String(version)), contentType: "application/json", warnings: [])
    }

    /// The pods, from the server's memory when it has them, and the version they are as of.
    func snapshot(namespace: String?) -> (pods: [EncodedPod], resourceVersion: Int) {
        if let cache { return cache.snapshot(namespace: namespace) }
        // Taken before the pods are read: a change made meanwhile is seen again by a watch from it, never missed.
        let version = StoreVersion(paths: service.paths).current()
        return (service.list(namespace: namespace).map(EncodedPod.init), version)
    }

    func getPod(_ request: APIRequest, namespace: String, name: String) throws -> APIResponse {
        let pod = try service.get(namespace: namespace, name: name)
        if request.wantsTable {
            return .json(
                Tables.pods([(pod, PodJSON.object(pod))], resourceVersion: pod.metadata.resourceVersion ?? ""), contentType: Tables.contentType)
        }
        return .json(PodJSON.object(pod))
    }

    func checkNamespace(_ namespace: String) throws {
        guard namespaces.exists(namespace) else { throw APIStatus.notFound("namespaces", namespace) }
    }

    /// The body's namespace, if it names one, must be the request's (as the API server insists).
    func pod(from request: APIRequest, namespace: String, data: Data? = nil) throws -> (Pod, [String]) {
        var (pod, warnings) = try PodBody.decode(data ?? request.body, fieldValidation: request.parameter("fieldValidation"))
        if let stated = pod.metadata.namespace, stated != namespace {
            throw APIStatus.badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
        pod.metadata.namespace = namespace
        return (pod, warnings)
    }

    func createPod(_ request: APIRequest, namespace: String) throws -> APIResponse {
        try checkNamespace(namespace)
        let (pod, warnings) = try pod(from: request, namespace: namespace)
        do {
            let change = try service.prepare(pod, namespace: namespace, orUpdate: false)
            if request.parameter("dryRun") == "All", case .create(let prepared) = change {
                return .json(PodJSON.object(prepared), status: 201, warnings: warnings)
            }
            guard case .created(let started, let created) = try service.commit(change, namespace: namespace) else {
                throw APIStatus(code: 500, reason: "InternalError", message: "create did not create")
            }
            started.close()
            return .json(PodJSON.object(created), status: 201, warnings: warnings)
        } catch {
            throw APIStatus.from(error, pod: pod.metadata.name)
        }
    }

    func update(_ desired: Pod, namespace: String, name: String, dryRun: Bool, warnings: [String]) throws -> APIResponse {
        guard desired.metadata.name == name else {
            throw APIStatus.badRequest("the name of the object (\(desired.metadata.name)) does not match the name on the URL (\(name))")
        }
        _ = try service.key(namespace: namespace, name: name)
        do {
            let change = try service.prepare(desired, namespace: namespace, orUpdate: true)
            if dryRun { return .json(PodJSON.object(try service.get(namespace: namespace, name: name)), warnings: warnings) }
            guard case .updated(_, let stored) = try service.commit(change, namespace: namespace) else {
                throw APIStatus(code: 500, reason: "InternalError", message: "update created a pod")
            }
            return .json(PodJSON.object(stored), warnings: warnings)
        } catch {
            throw APIStatus.from(error, pod: name)
        }
    }

    func replacePod(_ request: APIRequest, namespace: String, name: String) throws -> APIResponse {
        let (desired, warnings) = try pod(from: request, namespace: namespace)
        return try update(desired, namespace: namespace, name: name, dryRun: request.parameter("dryRun") == "All", warnings: warnings)
    }

    func patchPod(_ request: APIRequest, namespace: String, name: String) throws -> APIResponse {
        guard let kind = Patches.Kind(contentType: request.headers["content-type"] ?? "") else {
            throw APIStatus(
                code: 415, reason: "UnsupportedMediaType",
                message:
                    "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json"
            )
        }
        let stored = try service.get(namespace: namespace, name: name)
        let patched = try Patches.apply(kind, patch: request.body, to: PodJSON.object(stored))
        let data = try JSONSerialization.data(withJSONObject: patched)
        let (desired, warnings) = try pod(from: request, namespace: namespace, data: data)
        return try update(desired, namespace: namespace, name: name, dryRun: request.parameter("dryRun") == "All", warnings: warnings)
    }

    /// DeleteOptions come in the body (kubectl) or the query.
    func gracePeriod(_ request: APIRequest) -> Int? {
        let options = (try? JSONSerialization.jsonObject(with: request.body)) as? [String: Any]
        return (options?["gracePeriodSeconds"] as? Int) ?? request.integer("gracePeriodSeconds")
    }

    func deletePod(_ request: APIRequest, namespace: String, name: String) throws -> APIResponse {
        do {
            let (pod, pending) = try service.requestDeletion(namespace: namespace, name: name, grace: gracePeriod(request))
            finishDeletion(pending)
            return .json(PodJSON.object(pod))
        } catch {
            throw APIStatus.from(error, pod: name)
        }
    }

    func deleteCollection(_ request: APIRequest, namespace: String?) throws -> APIResponse {
        let (labels, fields) = try selectors(request)
        let filter = WatchRequest(
            resource: .pods, namespace: namespace, labelSelector: labels, fieldSelector: fields,
            resourceVersion: nil, timeoutSeconds: nil, table: false, bookmarks: false)
        var deleted: [Any] = []
        for pod in service.list(namespace: namespace).filter(filter.matches) {
            if let (marked, pending) = try? service.requestDeletion(
                namespace: pod.metadata.namespace ?? "default", name: pod.metadata.name,
                grace: gracePeriod(request))
            {
                finishDeletion(pending)
                deleted.append(PodJSON.object(marked))
            }
        }
        return .json(ClusterObjects.list(kind: "PodList", items: deleted, resourceVersion: storeVersion))
    }

    // MARK: logs

    func logs(_ request: APIRequest, namespace: String, name: String) throws -> APIResponse {
        let pod = try service.get(namespace: namespace, name: name)
        let containers: [String]
        if request.flag("allContainers") {
            containers = pod.spec.allContainers.map(\.name)
        } else if let requested = request.parameter("container") {
            guard pod.spec.allContainers.contains(where: { $0.name == requested }) else {
                throw APIStatus.badRequest("container \(requested) is not valid for pod \(name)")
            }
            containers = [requested]
        } else if pod.spec.containers.count == 1 {
            containers = [pod.spec.containers[0].name]
        } else {
            let names = pod.spec.allContainers.map(\.name).joined(separator: " ")
            throw APIStatus.badRequest("a container name must be specified for pod \(name), choose one of: [\(names)]")
        }
        // A container that has not run yet has no log: the API server says so (kubectl prints it).
        if containers.count == 1 {
            do { _ = try PodLogs(paths: service.paths).logPath(pod: pod, container: containers[0], previous: request.flag("previous")) } catch {
                throw APIStatus.badRequest("\((error as? MinipodError)?.message ?? "\(error)")")
            }
        }
        return .logs(
            LogRequest(
                key: try service.key(namespace: namespace, name: name), pod: pod, containers: containers,
                follow: request.flag("follow"), previous: request.flag("previous"), timestamps: request.flag("timestamps"),
                tail: request.integer("tailLines"), sinceSeconds: request.integer("sinceSeconds"),
                sinceTime: request.parameter("sinceTime").flatMap(KubeTime.parse), limitBytes: request.integer("limitBytes")))
    }
}
