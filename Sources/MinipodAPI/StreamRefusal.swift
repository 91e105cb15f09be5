import MinipodAPIModel
import MinipodKube

extension APIHandlers {
    /// An exec or port-forward that reached the handler was not upgraded (MinipodServe
    /// takes every one it can serve): the Status says why, as precisely as a cluster does.
    func streamRefusal(_ request: APIRequest, namespace: String, name: String, subresource: String) throws -> APIStatus {
        let pod = try service.get(namespace: namespace, name: name)
        switch subresource {
        case "exec":
            let container = request.parameter("container") ?? pod.spec.containers.first?.name ?? ""
            guard pod.spec.containers.contains(where: { $0.name == container }) else {
                return .badRequest("container \(container) is not valid for pod \(name)")
            }
            let runtime = try? service.store.loadRuntime(service.key(namespace: namespace, name: name))
            guard runtime?.containers[container]?.pid != nil else {
                return .badRequest("unable to upgrade connection: container not found (\"\(container)\")")
            }
            guard !(request.query["command"] ?? []).isEmpty else {
                return .badRequest("you must specify at least one command for the container")
            }
            return .badRequest(
                "exec needs an upgrade: SPDY/3.1 with X-Stream-Protocol-Version v4.channel.k8s.io (or v3, v2, channel.k8s.io), "
                    + "or a WebSocket with the v5.channel.k8s.io or v4.channel.k8s.io protocol")
        case "attach":
            let container = request.parameter("container") ?? pod.spec.containers.first?.name ?? ""
            let runtime = try? service.store.loadRuntime(service.key(namespace: namespace, name: name))
            guard runtime?.containers[container]?.pid != nil else {
                return .badRequest("unable to upgrade connection: container not found (\"\(container)\")")
            }
            return .badRequest(
                "attach needs an upgrade: SPDY/3.1 with X-Stream-Protocol-Version v4.channel.k8s.io (or v3, v2, channel.k8s.io), "
                    + "or a WebSocket with the v5.channel.k8s.io or v4.channel.k8s.io protocol")
        case "portforward":
            guard pod.status?.phase == "Running" else {
                return .badRequest("unable to forward port because pod is not running. Current status=\(pod.status?.phase ?? "Unknown")")
            }
            return .badRequest(
                "port-forward needs an upgrade: SPDY/3.1 with X-Stream-Protocol-Version portforward.k8s.io, "
                    + "or a WebSocket with the SPDY/3.1+portforward.k8s.io protocol")
        default:
            return .badRequest("pods/\(subresource) is not served by minipod yet: use `minipod \(subresource)` meanwhile")
        }
    }
}
