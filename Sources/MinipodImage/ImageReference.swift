import MinipodSystem

/// A parsed image name: `busybox:1.36`, `docker.io/library/busybox:1.36`,
/// `localhost:5000/app@sha256:…` all normalise the way docker and podman do.
public struct ImageReference: Hashable, CustomStringConvertible, Sendable {
    public var domain: String
    public var path: String
    public var tag: String?
    public var digest: String?
    /// Whether the text named the registry (`127.0.0.1:5000/app`, `docker.io/library/nginx`)
    /// rather than leaving docker.io implied (`nginx:1.25`). Not part of the identity.
    public private(set) var namesRegistry = false

    public init(parsing text: String) throws {
        var rest = text
        if let at = rest.firstIndex(of: "@") {
            digest = String(rest[rest.index(after: at)...])
            rest = String(rest[..<at])
        }
        if let colon = rest.lastIndex(of: ":"), !rest[colon...].contains("/") {
            tag = String(rest[rest.index(after: colon)...])
            rest = String(rest[..<colon])
        }
        let parts = rest.split(separator: "/", maxSplits: 1).map(String.init)
        if parts.count == 2, parts[0].contains(".") || parts[0].contains(":") || parts[0] == "localhost" {
            domain = parts[0]
            path = parts[1]
            namesRegistry = true
        } else {
            domain = "docker.io"
            path = rest
        }
        let componentsValid = !path.isEmpty && !path.split(separator: "/", omittingEmptySubsequences: false).contains { $0.isEmpty }
        if domain == "docker.io" && !path.contains("/") { path = "library/" + path }
        if tag == nil && digest == nil { tag = "latest" }
        let valid =
            componentsValid && path.allSatisfy { $0.isLowercase || $0.isNumber || "._-/".contains($0) }
            && (tag.map { !$0.isEmpty && $0.count <= 128 && $0.allSatisfy { $0.isLetter || $0.isNumber || "._-".contains($0) } } ?? true)
            && (digest.map(Self.isSHA256Digest) ?? true)
        if !valid { throw MinipodError(.imageError, "invalid image reference \"\(text)\"") }
    }

    /// `sha256:` and 64 lowercase hex digits, the only digest the store keeps.
    public static func isSHA256Digest(_ text: String) -> Bool {
        guard text.hasPrefix("sha256:") else { return false }
        let hex = text.dropFirst(7)
        return hex.count == 64 && hex.allSatisfy { $0.isNumber || ("a"..."f").contains($0) }
    }

    public var description: String {
        var s = "\(domain)/\(path)"
        if let tag { s += ":\(tag)" }
        if let digest { s += "@\(digest)" }
        return s
    }

    /// The short form users type and `image ls` shows (`busybox`, `localhost:5000/app`).
    public var repository: String {
        if domain == "docker.io" {
            return path.hasPrefix("library/") ? String(path.dropFirst(8)) : "docker.io/" + path
        }
        return "\(domain)/\(path)"
    }

    /// What the registry's manifest endpoint takes: the digest when there is one (it pins
    /// the content even if the tag moved), else the tag.
    public var manifestReference: String { digest ?? tag ?? "latest" }

    public static func == (a: Self, b: Self) -> Bool {
        a.domain == b.domain && a.path == b.path && a.tag == b.tag && a.digest == b.digest
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(description)
    }
}
