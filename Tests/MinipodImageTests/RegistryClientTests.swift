import Foundation
import MinipodSystem
import Testing

@testable import MinipodImage

/// A registry that answers from a closure and records what it was asked: the client's
/// protocol logic (auth, URLs, errors, digests) without a network.
final class FakeRegistry: RegistryTransport, @unchecked Sendable {
    var requests: [RegistryRequest] = []
    let answer: (RegistryRequest) -> RegistryResponse

    init(_ answer: @escaping (RegistryRequest) -> RegistryResponse) { self.answer = answer }

    func get(_ request: RegistryRequest) throws -> RegistryResponse {
        requests.append(request)
        return answer(request)
    }

    func download(_ request: RegistryRequest, to file: String) throws -> RegistryResponse {
        requests.append(request)
        var response = answer(request)
        try Data(response.body).write(to: URL(fileURLWithPath: file))
        response.sha256 = Digest.sha256(response.body)
        if response.isSuccess { response.body = [] }
        return response
    }
}

struct RegistryClientTests {
    static let manifest = Array(
        #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000","size":2},"layers":[]}"#
            .utf8)
    static let manifestType = ["content-type": "application/vnd.oci.image.manifest.v1+json"]

    func client(_ text: String, _ fake: FakeRegistry, credentials: String? = nil) throws -> RegistryClient {
        RegistryClient(
            reference: try ImageReference(parsing: text), displayName: text,
            options: .init(credentials: credentials), transport: fake)
    }

    func message(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "no error"
        } catch { return "\(error)" }
    }

    @Test func anonymousBearerTokenIsFetchedFromTheRealmOn401AndSent() throws {
        let fake = FakeRegistry { r in
            if r.url.hasPrefix("http://127.0.0.1:5000/token") {
                return RegistryResponse(status: 200, headers: [:], body: Array(#"{"token":"T0K3N"}"#.utf8))
            }
            if r.headers.contains("Authorization: Bearer T0K3N") {
                return RegistryResponse(status: 200, headers: Self.manifestType, body: Self.manifest)
            }
            return RegistryResponse(
                status: 401,
                headers: [
                    "www-authenticate":
                        #"Bearer realm="http://127.0.0.1:5000/token",service="test-registry",scope="repository:team/app:pull""#
                ], body: [])
        }
        let result = try client("127.0.0.1:5000/team/app:1.0", fake).manifest("1.0")
        #expect(result.kind == .manifest)
        #expect(result.digest == (Digest.sha256(Self.manifest)))
        #expect(fake.requests.count == 3)
        #expect(fake.requests[0].url == "http://127.0.0.1:5000/v2/team/app/manifests/1.0")
        #expect(
            fake.requests[0].headers.contains {
                $0.hasPrefix("Accept: ") && $0.contains(ManifestKind.ociIndex) && $0.contains(ManifestKind.dockerManifest)
            })
        let token = try #require(URLComponents(string: fake.requests[1].url))
        #expect(token.path == "/token")
        #expect(token.queryItems?.contains(URLQueryItem(name: "service", value: "test-registry")) == true)
        #expect(token.queryItems?.contains(URLQueryItem(name: "scope", value: "repository:team/app:pull")) == true)
        #expect(fake.requests[1].basicCredentials == nil)
        #expect(fake.requests[2].url == fake.requests[0].url)
    }

    @Test func credentialsGoToTheTokenServiceAndAScopeIsMadeUpWhenMissing() throws {
        let fake = FakeRegistry { r in
            if r.url.contains("/token") { return RegistryResponse(status: 200, headers: [:], body: Array(#"{"access_token":"A"}"#.utf8)) }
            if r.headers.contains("Authorization: Bearer A") { return RegistryResponse(status: 200, headers: Self.manifestType, body: Self.manifest) }
            return RegistryResponse(status: 401, headers: ["www-authenticate": #"Bearer realm="http://localhost/token""#], body: [])
        }
        _ = try client("localhost/team/app:1", fake, credentials: "me:secret").manifest("1")
        #expect(fake.requests[1].basicCredentials == "me:secret")
        #expect(URLComponents(string: fake.requests[1].url)?.queryItems == [URLQueryItem(name: "scope", value: "repository:team/app:pull")])
    }

    @Test func basicChallengeUsesTheCredentialsOrAsksForThem() throws {
        let fake = FakeRegistry { r in
            if r.headers.contains("Authorization: Basic bWU6c2VjcmV0") {
                return RegistryResponse(status: 200, headers: Self.manifestType, body: Self.manifest)
            }
            return RegistryResponse(status: 401, headers: ["www-authenticate": #"Basic realm="registry""#], body: [])
        }
        _ = try client("localhost/app:1", fake, credentials: "me:secret").manifest("1")
        let refused = message { _ = try client("localhost/app:1", fake).manifest("1") }
        #expect(refused.contains("--creds USER:PASSWORD"), "\(refused)")
    }

    @Test func a401AfterTheTokenIsARefusalNamingTheImage() throws {
        let fake = FakeRegistry { r in
            if r.url.contains("/token") { return RegistryResponse(status: 200, headers: [:], body: Array(#"{"token":"T"}"#.utf8)) }
            return RegistryResponse(
                status: 401, headers: ["www-authenticate": #"Bearer realm="http://localhost/token""#],
                body: Array(#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#.utf8))
        }
        let text = message { _ = try client("localhost/private/app:1", fake).manifest("1") }
        #expect(text.contains("refused access to \"localhost/private/app:1\""), "\(text)")
        #expect(text.contains("UNAUTHORIZED: authentication required"), "\(text)")
        #expect(fake.requests.count == 3)  // one token, one retry: no loop
    }

    @Test func unknownManifestSaysNotFoundInRegistry() throws {
        let fake = FakeRegistry { _ in
            RegistryResponse(status: 404, headers: [:], body: Array(#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}"#.utf8))
        }
        let text = message { _ = try client("127.0.0.1:5000/test/busybox:9.9", fake).manifest("9.9") }
        #expect(text.hasPrefix("image \"127.0.0.1:5000/test/busybox:9.9\" not found in registry 127.0.0.1:5000"), "\(text)")
    }

    @Test func aManifestFetchedByDigestMustHashToIt() throws {
        let fake = FakeRegistry { _ in RegistryResponse(status: 200, headers: Self.manifestType, body: Self.manifest) }
        let wrong = "sha256:" + String(repeating: "1", count: 64)
        let text = message { _ = try client("localhost/app@\(wrong)", fake).manifest(wrong) }
        #expect(text.contains("does not match its digest"), "\(text)")
        let right = Digest.sha256(Self.manifest)
        #expect(try client("localhost/app@\(right)", fake).manifest(right).digest == right)
    }

    @Test func aBlobThatDoesNotHashToItsDigestIsNamedAndRemoved() throws {
        let fake = FakeRegistry { _ in RegistryResponse(status: 200, headers: [:], body: Array("not the layer".utf8)) }
        let digest = "sha256:" + String(repeating: "c", count: 64)
        let file = NSTemporaryDirectory() + "/minipod-blob-\(UUID().uuidString)"
        let text = message { try client("localhost/app:1", fake).blob(digest, to: file) }
        #expect(text.contains("blob \(digest) of \"localhost/app:1\" does not match its digest"), "\(text)")
        #expect(!FileManager.default.fileExists(atPath: file))
        #expect(fake.requests.first?.url == "http://localhost/v2/app/blobs/\(digest)")
    }

    @Test func remoteRegistriesUseHTTPS() throws {
        let fake = FakeRegistry { _ in RegistryResponse(status: 200, headers: Self.manifestType, body: Self.manifest) }
        _ = try client("registry.example.test:5000/app:1", fake).manifest("1")
        #expect(fake.requests.map(\.url) == ["https://registry.example.test:5000/v2/app/manifests/1"])
        #expect(fake.requests.allSatisfy { $0.verifyTLS })
    }

    @Test func dockerIOWithoutAMirrorIsUnreachableWithoutAnyRequest() throws {
        #expect(RegistryClient.apiHost(for: "docker.io", environment: [:]) == nil)
        #expect(RegistryClient.apiHost(for: "docker.io", environment: ["MINIPOD_DOCKER_IO_MIRROR": "127.0.0.1:5000"]) == "127.0.0.1:5000")
        #expect(RegistryClient.apiHost(for: "127.0.0.1:5000", environment: ["MINIPOD_DOCKER_IO_MIRROR": "x"]) == "127.0.0.1:5000")
        guard ProcessInfo.processInfo.environment["MINIPOD_DOCKER_IO_MIRROR"] == nil else { return }
        let fake = FakeRegistry { _ in RegistryResponse(status: 500, headers: [:], body: []) }
        do {
            _ = try client("busybox:latest", fake).manifest("latest")
            Issue.record("docker.io answered")
        } catch let error as MinipodError {
            #expect(error.code == .network)
        }
        #expect(fake.requests.isEmpty)
    }
}

struct CurlTransportTests {
    @Test func configQuotesValuesAndRefusesLineBreaks() throws {
        let request = RegistryRequest(
            url: "http://[::1]:5000/v2/", headers: [#"Authorization: Bearer a"b\c"#], basicCredentials: "u:p", verifyTLS: false)
        let config = try CurlTransport.config(for: request, headerFile: "/tmp/h", extra: [])
        #expect(config.contains("url = \"http://[::1]:5000/v2/\"\n"))
        #expect(config.contains(#"header = "Authorization: Bearer a\"b\\c""#))
        #expect(config.contains("user = \"u:p\"\n"))
        #expect(config.contains("\ninsecure\n"))
        #expect(config.contains("\nglobon") == false && config.contains("\nglobof"))
        let injected = RegistryRequest(url: "http://localhost/v2/", headers: ["X: 1\noutput = /etc/passwd"])
        #expect(throws: MinipodError.self) { try CurlTransport.config(for: injected, headerFile: "/tmp/h", extra: []) }
    }

    @Test func headersOfTheLastResponseAfterRedirects() throws {
        let dump =
            "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://storage/x\r\n\r\nHTTP/2 200\r\ncontent-type: application/octet-stream\r\nX-Twice: a\r\nx-twice: b\r\n\r\n"
        let (status, headers) = try CurlTransport.parseHeaders(dump, url: "u")
        #expect(status == 200)
        #expect(headers["content-type"] == "application/octet-stream")
        #expect(headers["location"] == nil)
        #expect(headers["x-twice"] == "a, b")
        #expect(throws: MinipodError.self) { try CurlTransport.parseHeaders("", url: "u") }
    }
}
