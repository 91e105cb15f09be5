import Foundation
import MinipodSystem

/// A client of the OCI distribution spec for one repository: manifests and
/// blobs by GET, with the registry's token auth. It only downloads; storing
/// is ImageStore's job (ImagePuller).
public final class RegistryClient {
    public struct Options: Sendable {
        /// false: accept any certificate, and fall back to plain HTTP (podman's --tls-verify=false).
        public var verifyTLS = true
        /// "user:password" for the token realm or a Basic registry; anonymous when nil.
        public var credentials: String?
        public init(verifyTLS: Bool = true, credentials: String? = nil) {
            self.verifyTLS = verifyTLS
            self.credentials = credentials
        }
    }

    let reference: ImageReference
    /// What the user typed, for error messages.
    let displayName: String
    let options: Options
    let transport: RegistryTransport
    /// host[:port] that serves the API; nil for docker.io without a mirror.
    let apiHost: String?
    /// For messages: the API host, or the domain.
    public var host: String { apiHost ?? reference.domain }
    private var scheme: String?
    private var authorization: String?

    public init(reference: ImageReference, displayName: String, options: Options, transport: RegistryTransport) {
        self.reference = reference
        self.displayName = displayName
        self.options = options
        self.transport = transport
        self.apiHost = Self.apiHost(for: reference.domain, environment: ProcessInfo.processInfo.environment)
    }

    /// Every domain is the host of its own API, except docker.io: its API lives on another
    /// host name, which this project does not hard-code (it runs without internet and names
    /// no public registry host). docker.io images are pulled from a mirror that speaks the
    /// same API when MINIPOD_DOCKER_IO_MIRROR=HOST[:PORT] is set; without one, a docker.io
    /// pull fails as unreachable, which pod creation answers with the local copy.
    static func apiHost(for domain: String, environment: [String: String]) -> String? {
        guard domain == "docker.io" else { return domain }
        return environment["MINIPOD_DOCKER_IO_MIRROR"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Plain HTTP is used without asking only on the loopback (like docker's default
    /// insecure 127.0.0.0/8); anything else must speak TLS unless --tls-verify=false.
    public static func isLoopback(_ host: String) -> Bool {
        var name = host
        if name.hasPrefix("["), let close = name.firstIndex(of: "]") {
            name = String(name[name.index(after: name.startIndex)..<close])
        } else if let colon = name.lastIndex(of: ":"), name.filter({ $0 == ":" }).count == 1 {
            name = String(name[..<colon])
        }
        return ["localhost", "127.0.0.1", "::1"].contains(name.lowercased())
    }

    // MARK: the two kinds of GET

    /// A manifest or index: its bytes, media type and digest (checked against a digest reference).
    public func manifest(_ reference: String) throws -> (bytes: [UInt8], mediaType: String, kind: ManifestKind, digest: String) {
        let response = try send(path: "/manifests/\(reference)", headers: ["Accept: " + ManifestKind.accepted.joined(separator: ", ")])
        if response.status == 404 {
            throw MinipodError(
                .notFound, "image \"\(displayName)\" not found in registry \(host)\(registryErrors(response).map { " (\($0))" } ?? "")")
        }
        try expectSuccess(response, what: "manifest \(reference)")
        let digest = Digest.sha256(response.body)
        if ImageReference.isSHA256Digest(reference), digest != reference {
            throw MinipodError(.imageError, "manifest \(reference) of \"\(displayName)\" does not match its digest (the registry sent \(digest))")
        }
        let (kind, mediaType) = try ManifestKind.classify(contentType: response.headers["content-type"], body: response.body)
        return (response.body, mediaType, kind, digest)
    }

    /// Streams a blob into `file` and checks its digest; a mismatch removes the file.
    public func blob(_ digest: String, to file: String) throws {
        let response = try send(path: "/blobs/\(digest)", headers: [], download: file)
        if response.status == 404 {
            throw MinipodError(.notFound, "blob \(digest) of \"\(displayName)\" not found in registry \(host)")
        }
        try expectSuccess(response, what: "blob \(digest)")
        guard response.sha256 == digest else {
            unlink(file)
            throw MinipodError(
                .imageError,
                "blob \(digest) of \"\(displayName)\" does not match its digest: received content hashes to \(response.sha256 ?? "nothing")")
        }
    }

    // MARK: requests and auth

    private func send(path: String, headers: [String], download file: String? = nil) throws -> RegistryResponse {
        let scheme = try resolveScheme()
        let url = "\(scheme)://\(host)/v2/\(reference.path)\(path)"
        var response = try perform(url: url, headers: headers, download: file)
        // A 401 names how to authenticate; answer it once, then the answer stands.
        if response.status == 401 {
            try authenticate(challenge: response.headers["www-authenticate"])
            response = try perform(url: url, headers: headers, download: file)
            if response.status == 401 || response.status == 403 {
                throw MinipodError(
                    .imageError,
                    "registry \(host) refused access to \"\(displayName)\"\(options.credentials == nil ? " (no credentials given; use --creds USER:PASSWORD)" : " with the given credentials")\(registryErrors(response).map { ": \($0)" } ?? "")"
                )
            }
        }
        return response
    }

    private func perform(url: String, headers: [String], download file: String?) throws -> RegistryResponse {
        var request = RegistryRequest(url: url, headers: headers, verifyTLS: options.verifyTLS)
        if let authorization { request.headers.append("Authorization: " + authorization) }
        return try file.map { try transport.download(request, to: $0) } ?? transport.get(request)
    }

    /// https, http on the loopback, or with --tls-verify=false whichever of https then http
    /// answers `GET /v2/` (the spec's version check).
    private func resolveScheme() throws -> String {
        if let scheme { return scheme }
        guard let host = apiHost else {
            throw MinipodError(
                .network,
                "registry docker.io is unreachable: minipod has no address for docker.io's registry API; set MINIPOD_DOCKER_IO_MIRROR=HOST[:PORT] to pull docker.io images through a mirror"
            )
        }
        if Self.isLoopback(host) {
            scheme = "http"
        } else if options.verifyTLS {
            scheme = "https"
        } else {
            // Any https failure (no TLS on that port, nothing listening on 443) means: try http.
            do {
                _ = try transport.get(RegistryRequest(url: "https://\(host)/v2/", verifyTLS: false))
                scheme = "https"
            } catch {
                scheme = "http"
            }
        }
        return scheme!
    }

    private func authenticate(challenge header: String?) throws {
        let challenges = AuthChallenge.parse(header ?? "")
        if let bearer = challenges.first(where: { $0.scheme == "bearer" }) {
            authorization = "Bearer " + (try fetchToken(bearer))
        } else if challenges.contains(where: { $0.scheme == "basic" }), let credentials = options.credentials {
            authorization = "Basic " + Data(credentials.utf8).base64EncodedString()
        } else if challenges.contains(where: { $0.scheme == "basic" }) {
            throw MinipodError(
                .imageError, "registry \(host) asks for a user name and password to pull \"\(displayName)\"; pass them with --creds USER:PASSWORD")
        } else {
            throw MinipodError(.imageError, "registry \(host) answered 401 without a usable WWW-Authenticate challenge (\(header ?? "none"))")
        }
    }

    /// The token endpoint of the distribution spec's token auth: GET realm?service=…&scope=…,
    /// with Basic credentials when given, anonymous otherwise.
    func fetchToken(_ challenge: AuthChallenge) throws -> String {
        // A realm needs a host: curl reads `http:/host/token` (one slash, no host for
        // URLComponents) as http://host/token, so what is checked here would not be what is fetched.
        guard let realm = challenge.parameters["realm"], var components = URLComponents(string: realm),
            components.scheme == "https" || components.scheme == "http", !(components.host ?? "").isEmpty
        else {
            throw MinipodError(.imageError, "registry \(host) named no usable token realm (\(challenge.parameters["realm"] ?? "none"))")
        }
        var query = components.queryItems ?? []
        if let service = challenge.parameters["service"] { query.append(URLQueryItem(name: "service", value: service)) }
        query.append(URLQueryItem(name: "scope", value: challenge.parameters["scope"] ?? "repository:\(reference.path):pull"))
        components.queryItems = query
        // `+` in a scope would read as a space; encode it as servers expect.
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        guard let url = components.string else { throw MinipodError(.imageError, "cannot build a token URL from realm \(realm)") }
        let response = try transport.get(RegistryRequest(url: url, basicCredentials: options.credentials, verifyTLS: options.verifyTLS))
        guard response.isSuccess else {
            throw MinipodError(
                .imageError,
                "the token service of registry \(host) refused a token for \"\(displayName)\": HTTP \(response.status)\(registryErrors(response).map { " (\($0))" } ?? "")"
            )
        }
        struct TokenAnswer: Decodable {
            var token: String?
            var access_token: String?
        }
        guard let answer = try? JSONDecoder().decode(TokenAnswer.self, from: Data(response.body)),
            let token = answer.token ?? answer.access_token, !token.isEmpty
        else {
            throw MinipodError(.imageError, "the token service of registry \(host) sent no token")
        }
        return token
    }

    private func expectSuccess(_ response: RegistryResponse, what: String) throws {
        guard response.isSuccess else {
            throw MinipodError(
                .imageError,
                "registry \(host) answered HTTP \(response.status) for \(what) of \"\(displayName)\"\(registryErrors(response).map { ": \($0)" } ?? "")"
            )
        }
    }

    /// The spec's error document: {"errors":[{"code":"MANIFEST_UNKNOWN","message":"…"}]}.
    func registryErrors(_ response: RegistryResponse) -> String? {
        struct Errors: Decodable {
            struct Entry: Decodable {
                var code: String?
                var message: String?
            }
            var errors: [Entry]
        }
        guard let doc = try? JSONDecoder().decode(Errors.self, from: Data(response.body)), !doc.errors.isEmpty else { return nil }
        return doc.errors.map { [$0.code, $0.message].compactMap { $0 }.joined(separator: ": ") }.joined(separator: "; ")
    }
}
