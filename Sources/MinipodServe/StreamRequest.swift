import MinipodAPIModel
import MinipodPod
import NIOHTTP1

/// An exec or port-forward request the server can serve: authenticated, for a pod that
/// exists, and (exec) a running container and a command, or (port-forward) a Running pod.
/// Anything else is left to the API handler, which answers with the Status kubectl shows.
enum StreamRequest {
    case exec(ExecRequest)
    case portForward(SPDYPortForwardService.Target)
}

extension APIServer {
    func streamRequest(_ head: HTTPRequestHead) -> StreamRequest? {
        var headers: [String: String] = [:]
        for (name, value) in head.headers { headers[name.lowercased()] = value }
        let request = APIRequest(method: head.method.rawValue, uri: head.uri, headers: headers)
        guard authenticated(request), case .podSubresource(let namespace, let name, let subresource) = APIRoute(path: request.path),
            let key = try? handlers.service.key(namespace: namespace, name: name),
            let runtime = try? handlers.service.store.loadRuntime(key)
        else { return nil }
        switch subresource {
        case "exec":
            guard let command = request.query["command"], !command.isEmpty else { return nil }
            let container = request.parameter("container") ?? runtime.containers.keys.sorted().first ?? ""
            guard runtime.containers[container]?.pid != nil else { return nil }
            let tty = request.flag("tty")
            return .exec(
                ExecRequest(
                    key: key, container: container, command: command, stdin: request.flag("stdin"),
                    stdout: request.flag("stdout") || tty, stderr: request.flag("stderr") && !tty, tty: tty))
        case "portforward":
            guard let pod = try? handlers.service.store.loadPod(key), pod.status?.phase == "Running" else { return nil }
            let netns = runtime.hostNetwork ? "/proc/self/ns/net" : handlers.service.paths.netnsPath(key)
            return .portForward(.init(podName: name, uid: pod.metadata.uid ?? runtime.uid, netns: netns))
        case "attach":
            let container = request.parameter("container") ?? runtime.containers.keys.sorted().first ?? ""
            guard runtime.containers[container]?.pid != nil else { return nil }
            let tty = request.flag("tty")
            var attach = ExecRequest(
                key: key, container: container, command: [], stdin: request.flag("stdin"),
                stdout: request.flag("stdout") || tty, stderr: request.flag("stderr") && !tty, tty: tty)
            attach.attach = true
            return .exec(attach)
        default:
            return nil
        }
    }
}
