import Foundation
import MinipodKube
import Testing

@testable import MinipodAPIModel

struct RouteAndSelectorTests {
    @Test(arguments: [
        ("/version", APIRoute.version),
        ("/readyz", .health("readyz")),
        ("/api", .apiVersions),
        ("/api/v1", .coreResources),
        ("/openapi/v3/api/v1", .openAPICore),
        ("/api/v1/pods", .pods(namespace: nil)),
        ("/api/v1/namespaces/default/pods", .pods(namespace: "default")),
        ("/api/v1/namespaces/default/pods/web", .pod(namespace: "default", name: "web")),
        ("/api/v1/namespaces/default/pods/web/log", .podLog(namespace: "default", name: "web")),
        ("/api/v1/namespaces/default/pods/web/status", .podStatus(namespace: "default", name: "web")),
        ("/api/v1/namespaces/default/pods/web/exec", .podSubresource(namespace: "default", name: "web", subresource: "exec")),
        ("/api/v1/namespaces/kube-system", .namespace("kube-system")),
        ("/api/v1/nodes/vm", .node("vm")),
        ("/api/v1/namespaces/default/events", .events(namespace: "default")),
        ("/api/v1/namespaces/default/services", .unknownResource("services")),
        ("/apis/apps/v1/namespaces/default/deployments", .unknownResource("namespaces")),
        ("/nothing/here", .notFound),
    ])
    func pathsNameWhatTheAPIServerServesThere(path: String, route: APIRoute) {
        #expect(APIRoute(path: path) == route)
    }

    @Test func queryParametersAreDecoded() {
        let request = APIRequest(
            method: "get", uri: "/api/v1/pods?fieldSelector=metadata.name%3Dweb&watch=true&limit=500&labelSelector=app+in",
            headers: ["Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"])
        #expect(request.method == "GET")
        #expect(request.parameter("fieldSelector") == "metadata.name=web")
        #expect(request.flag("watch") && request.integer("limit") == 500)
        #expect(request.parameter("labelSelector") == "app in")
        #expect(request.wantsTable)
    }

    @Test func fieldSelectorsMatchPodFieldsAndRefuseOthers() throws {
        var pod = Pod(metadata: ObjectMeta(name: "web", namespace: "default"), spec: PodSpec(containers: []))
        pod.status = PodStatus(phase: "Running")
        let selector = try FieldSelector("metadata.name=web,status.phase!=Failed", allowed: FieldSelector.podFields, kind: "Pod")
        #expect(selector.matches { FieldSelector.podField(pod, $0) })
        #expect(selector.name == "web")
        let other = try FieldSelector("metadata.name==db", allowed: FieldSelector.podFields, kind: "Pod")
        #expect(!other.matches { FieldSelector.podField(pod, $0) })
        #expect(throws: APIStatus.badRequest("field label not supported: spec.containers")) {
            try FieldSelector("spec.containers=x", allowed: FieldSelector.podFields, kind: "Pod")
        }
    }
}
