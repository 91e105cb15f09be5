#if canImport(Glibc)
    import Glibc
#endif

/// The one error type of the project: what went wrong, where (a manifest
/// field path, a file, a container), and the errno behind it if any.
public struct MinipodError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Code: String, Sendable {
        case invalidManifest  // the manifest is not a valid Pod
        case invalidArgument  // a CLI argument or flag is wrong
        case notFound  // pod, container, image or file missing
        case alreadyExists  // a pod of that name already runs
        case imageError  // an image archive cannot be read or stored
        case system  // a syscall failed
        case runtime  // a container could not be created or started
        case network  // CNI or port-forward failed, or a registry cannot be reached
        case `internal`
    }

    /// How the API server would have answered, when it would have (kubectl then
    /// words it "Error from server (NotFound): …"); the CLI chooses its wording from this.
    public enum APIReason: String, Sendable {
        case notFound = "NotFound"
        case alreadyExists = "AlreadyExists"
        /// An update the API refuses: the message is the API's own sentence.
        case invalid = "Invalid"
    }

    public var code: Code
    public var message: String
    public var reason: APIReason?
    /// Field path in the manifest (`spec.containers[1].volumeMounts[0].name`), a file path, or nil.
    public var field: String?
    public var errno: Int32?

    public init(_ code: Code, _ message: String, field: String? = nil, errno: Int32? = nil, reason: APIReason? = nil) {
        self.code = code
        self.message = message
        self.field = field
        self.errno = errno
        self.reason = reason
    }

    /// The same failure told with what the caller was doing ("container web: " + message),
    /// keeping its code, field, errno and reason (crun's crun_error_wrap).
    public func wrapped(_ context: String) -> MinipodError {
        var error = self
        error.message = context + ": " + message
        return error
    }

    /// The same failure, located at a manifest field path or a file.
    public func located(at field: String) -> MinipodError {
        var error = self
        error.field = field
        return error
    }

    public static func podNotFound(_ name: String) -> MinipodError {
        MinipodError(.notFound, "pods \"\(name)\" not found", reason: .notFound)
    }

    public static func podAlreadyExists(_ name: String, _ message: String? = nil) -> MinipodError {
        MinipodError(.alreadyExists, "pods \"\(name)\" " + (message ?? "already exists"), reason: .alreadyExists)
    }

    public var description: String {
        var text = field.map { "\($0): \(message)" } ?? message
        if let errno { text += ": \(String(cString: strerror(errno)))" }
        return text
    }

    /// A syscall failure carrying errno and what we were doing.
    public static func sys(_ what: String, errno: Int32 = Glibc.errno) -> MinipodError {
        MinipodError(.system, what, errno: errno)
    }
}
