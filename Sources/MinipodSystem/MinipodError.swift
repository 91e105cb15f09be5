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

    public var code: Code
    public var message: String
    /// Field path in the manifest (`spec.containers[1].volumeMounts[0].name`), a file path, or nil.
    public var field: String?
    public var errno: Int32?

    public init(_ code: Code, _ message: String, field: String? = nil, errno: Int32? = nil) {
        self.code = code
        self.message = message
        self.field = field
        self.errno = errno
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
