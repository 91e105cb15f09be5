import Foundation

/// One HTTP request as the API layer sees it: no sockets, no TLS.
public struct APIRequest: Sendable {
    public var method: String
    /// The path without the query, percent-decoded per segment.
    public var path: String
    public var query: [String: [String]]
    public var headers: [String: String]  // lower-cased names
    public var body: Data

    public init(method: String, uri: String, headers: [String: String], body: Data = Data()) {
        self.method = method.uppercased()
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        path = String(parts.first ?? "")
        var query: [String: [String]] = [:]
        if parts.count == 2 {
            for pair in parts[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map {
                    String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
                }
                query[kv[0], default: []].append(kv.count > 1 ? kv[1] : "")
            }
        }
        self.query = query
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
        self.body = body
    }

    public func parameter(_ name: String) -> String? { query[name]?.last }

    public func flag(_ name: String) -> Bool { ["true", "1"].contains(parameter(name)?.lowercased() ?? "") }

    public func integer(_ name: String) -> Int? { parameter(name).flatMap { Int($0) } }

    /// kubectl asks for tables with `Accept: application/json;as=Table;v=v1;g=meta.k8s.io,...`.
    public var wantsTable: Bool { (headers["accept"] ?? "").contains("as=Table") }
}

/// What an API path names (core/v1 only: minipod serves pods and what kubectl reads beside them).
public enum APIRoute: Equatable, Sendable {
    case version
    case health(String)  // healthz, livez, readyz
    case apiVersions  // /api
    case apiGroups  // /apis
    case coreResources  // /api/v1
    case openAPIRoot  // /openapi/v3
    case openAPICore  // /openapi/v3/api/v1
    case openAPIV2  // /openapi/v2 (protobuf, kubectl 1.27 and 1.28)
    case namespaces
    case namespace(String)
    case nodes
    case node(String)
    case pods(namespace: String?)
    case pod(namespace: String, name: String)
    case podStatus(namespace: String, name: String)
    case podLog(namespace: String, name: String)
    case podSubresource(namespace: String, name: String, subresource: String)
    case events(namespace: String?)
    case unknownResource(String)
    case notFound

    public init(path: String) {
        let segments = path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        switch segments.count {
        case 1 where segments[0] == "version": self = .version
        case 1 where ["healthz", "livez", "readyz"].contains(segments[0]): self = .health(segments[0])
        case 1 where segments[0] == "api": self = .apiVersions
        case 1 where segments[0] == "apis": self = .apiGroups
        case 2 where segments == ["api", "v1"]: self = .coreResources
        case 2 where segments == ["openapi", "v3"]: self = .openAPIRoot
        case 4 where segments == ["openapi", "v3", "api", "v1"]: self = .openAPICore
        case 2 where segments == ["openapi", "v2"]: self = .openAPIV2
        case 2 where segments[0] == "healthz" || segments[0] == "livez" || segments[0] == "readyz": self = .health(segments[0])
        default:
            guard segments.count >= 3, segments[0] == "api", segments[1] == "v1" else {
                self = segments.first == "apis" && segments.count >= 3 ? .unknownResource(segments[segments.count >= 4 ? 3 : 2]) : .notFound
                return
            }
            self = Self.core(Array(segments.dropFirst(2)))
        }
    }

    /// The path below /api/v1.
    private static func core(_ s: [String]) -> APIRoute {
        switch (s.count, s.first) {
        case (1, "namespaces"): return .namespaces
        case (2, "namespaces"): return .namespace(s[1])
        case (1, "nodes"): return .nodes
        case (2, "nodes"): return .node(s[1])
        case (1, "pods"): return .pods(namespace: nil)
        case (1, "events"): return .events(namespace: nil)
        case (1, let resource?): return .unknownResource(resource)
        default: break
        }
        guard s.count >= 3, s[0] == "namespaces" else { return .notFound }
        let namespace = s[1]
        switch (s.count, s[2]) {
        case (3, "pods"): return .pods(namespace: namespace)
        case (4, "pods"): return .pod(namespace: namespace, name: s[3])
        case (5, "pods") where s[4] == "status": return .podStatus(namespace: namespace, name: s[3])
        case (5, "pods") where s[4] == "log": return .podLog(namespace: namespace, name: s[3])
        case (5, "pods"): return .podSubresource(namespace: namespace, name: s[3], subresource: s[4])
        case (3, "events"): return .events(namespace: namespace)
        case (4, "events"): return .events(namespace: namespace)
        default: return .unknownResource(s[2])
        }
    }
}
