import Foundation
import MinipodSystem

/// metav1.Status, the body of every error (and of some successes), so kubectl
/// prints what it prints against a cluster: `Error from server (NotFound): pods "x" not found`.
public struct APIStatus: Codable, Equatable, Sendable, Error {
    public struct Cause: Codable, Equatable, Sendable {
        public var reason: String?
        public var message: String?
        public var field: String?

        public init(reason: String?, message: String?, field: String?) {
            self.reason = reason
            self.message = message
            self.field = field
        }
    }

    public struct Details: Codable, Equatable, Sendable {
        public var name: String?
        public var kind: String?
        public var causes: [Cause]?

        public init(name: String?, kind: String?, causes: [Cause]? = nil) {
            self.name = name
            self.kind = kind
            self.causes = causes
        }
    }

    public var kind = "Status"
    public var apiVersion = "v1"
    public var metadata: [String: String] = [:]
    public var status: String
    public var message: String?
    public var reason: String?
    public var details: Details?
    public var code: Int

    public init(code: Int, reason: String, message: String, details: Details? = nil) {
        status = "Failure"
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
    }

    public static func notFound(_ resource: String, _ name: String) -> APIStatus {
        APIStatus(
            code: 404, reason: "NotFound", message: "\(resource) \"\(name)\" not found",
            details: Details(name: name, kind: resource))
    }

    public static let unauthorized = APIStatus(code: 401, reason: "Unauthorized", message: "Unauthorized")

    public static func badRequest(_ message: String) -> APIStatus { APIStatus(code: 400, reason: "BadRequest", message: message) }

    public static func methodNotAllowed(_ method: String) -> APIStatus {
        APIStatus(code: 405, reason: "MethodNotAllowed", message: "the server does not allow this method on the requested resource (\(method))")
    }

    /// The API server's answer for a resource it does not serve (Deployment, Service, ...).
    public static func noResource(_ resource: String) -> APIStatus {
        APIStatus(
            code: 404, reason: "NotFound", message: "the server could not find the requested resource",
            details: Details(
                name: nil, kind: resource, causes: [Cause(reason: "UnexpectedServerResponse", message: "404 page not found", field: nil)]))
    }

    /// The error minipod's library threw, as the API server would word it for a pod.
    public static func from(_ error: Error, pod name: String? = nil) -> APIStatus {
        if let status = error as? APIStatus { return status }
        guard let e = error as? MinipodError else {
            return APIStatus(code: 500, reason: "InternalError", message: "\(error)")
        }
        switch e.code {
        case .notFound where e.reason == .notFound:
            return APIStatus(code: 404, reason: "NotFound", message: e.message, details: Details(name: name, kind: "pods"))
        case .alreadyExists where e.message.hasSuffix("already exists"):
            return APIStatus(code: 409, reason: "AlreadyExists", message: e.message, details: Details(name: name, kind: "pods"))
        case .alreadyExists:
            return APIStatus(code: 409, reason: "Conflict", message: e.message, details: Details(name: name, kind: "pods"))
        case .invalidManifest:
            return invalid(e, pod: name ?? "")
        case .invalidArgument:
            return badRequest(e.description)
        case .notFound:
            return APIStatus(code: 404, reason: "NotFound", message: e.description)
        default:
            return APIStatus(code: 500, reason: "InternalError", message: e.description)
        }
    }

    /// 422 Invalid with one cause per field, which kubectl prints as
    /// `The Pod "x" is invalid: spec.containers[0].image: ...`.
    static func invalid(_ e: MinipodError, pod: String) -> APIStatus {
        let prefix = "The Pod \"\(pod)\" is invalid: "
        if e.reason == .invalid {
            let rest = e.message.components(separatedBy: " is invalid: ").dropFirst().joined(separator: " is invalid: ")
            let field = rest.split(separator: ":", maxSplits: 1).first.map(String.init) ?? "spec"
            let message = rest.dropFirst(field.count + 1).trimmingCharacters(in: .whitespaces)
            return APIStatus(
                code: 422, reason: "Invalid", message: e.message,
                details: Details(name: pod, kind: "Pod", causes: [Cause(reason: "FieldValueForbidden", message: message, field: field)]))
        }
        let causes = causes(of: e)
        let text = causes.map { "\($0.field ?? "metadata"): \($0.message ?? "")" }.joined(separator: ", ")
        return APIStatus(
            code: 422, reason: "Invalid", message: prefix + text,
            details: Details(name: pod, kind: "Pod", causes: causes))
    }

    /// PodValidator reports every problem, one per line as `source: field: message`.
    static func causes(of e: MinipodError) -> [Cause] {
        if let field = e.field {
            return [Cause(reason: "FieldValueInvalid", message: e.message, field: field)]
        }
        return e.message.split(separator: "\n").map { line in
            let parts = line.components(separatedBy: ": ")
            // The field is the part that looks like a path (spec..., metadata...).
            if let i = parts.firstIndex(where: { $0.hasPrefix("spec") || $0.hasPrefix("metadata") }), i + 1 < parts.count {
                return Cause(reason: "FieldValueInvalid", message: parts[(i + 1)...].joined(separator: ": "), field: parts[i])
            }
            return Cause(reason: "FieldValueInvalid", message: String(line), field: nil)
        }
    }

    public var json: Data { (try? JSONEncoder().encode(self)) ?? Data() }
}
