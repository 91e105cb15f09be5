import MinipodImage
import Testing

struct ImageReferenceTests {
    @Test(arguments: [
        ("busybox:1.36", "docker.io/library/busybox:1.36", "busybox"),
        ("docker.io/library/nginx:1.25", "docker.io/library/nginx:1.25", "nginx"),
        ("nginx", "docker.io/library/nginx:latest", "nginx"),
        ("localhost:5000/app:v1", "localhost:5000/app:v1", "localhost:5000/app"),
        ("quay.io/org/tool:2", "quay.io/org/tool:2", "quay.io/org/tool"),
        ("user/app:1", "docker.io/user/app:1", "docker.io/user/app"),
    ])
    func normalisesLikeDockerAndPodman(text: String, full: String, repository: String) throws {
        let ref = try ImageReference(parsing: text)
        #expect(ref.description == full)
        #expect(ref.repository == repository)
    }

    @Test func rejectsMalformedNames() {
        for bad in ["UPPER:1", "a b", "x:", ""] {
            #expect(throws: (any Error).self, "\(bad)") { try ImageReference(parsing: bad) }
        }
    }

    @Test func chainIDsFollowTheImageSpec() throws {
        let a = "sha256:" + String(repeating: "a", count: 64)
        let b = "sha256:" + String(repeating: "b", count: 64)
        let chain = Digest.chainIDs([a, b])
        #expect(chain[0] == a)
        #expect(chain[1] == (Digest.sha256(Array("\(a) \(b)".utf8))))
        #expect(chain[1].hasPrefix("sha256:") && chain[1].count == 71)
    }
}

struct RegistryReferenceTests {
    static let digest = "sha256:" + String(repeating: "ab", count: 32)

    @Test func hostPortNameTagAndDigest() throws {
        let ref = try ImageReference(parsing: "127.0.0.1:5000/test/busybox:1.36@\(Self.digest)")
        #expect(ref.domain == "127.0.0.1:5000")
        #expect(ref.path == "test/busybox")
        #expect(ref.tag == "1.36")
        #expect(ref.digest == Self.digest)
        #expect(ref.namesRegistry)
        #expect(ref.manifestReference == Self.digest)  // the digest pins what the tag may have moved from
        #expect(ref.description == "127.0.0.1:5000/test/busybox:1.36@\(Self.digest)")
    }

    @Test(arguments: [
        ("127.0.0.1:5000/test/busybox", "127.0.0.1:5000", "test/busybox", "latest"),
        ("localhost/app:v1", "localhost", "app", "v1"),
        ("[::1]:5000/app:v1", "[::1]:5000", "app", "v1"),
        ("registry.example.test:443/a/b/c:1.0", "registry.example.test:443", "a/b/c", "1.0"),
    ])
    func theHostIsTheFirstComponentWithADotAColonOrLocalhost(text: String, domain: String, path: String, tag: String) throws {
        let ref = try ImageReference(parsing: text)
        #expect(ref.domain == domain)
        #expect(ref.path == path)
        #expect(ref.tag == tag)
        #expect(ref.manifestReference == tag)
        #expect(ref.namesRegistry)
    }

    @Test func dockerIOImpliedOrSpeltOutIsTheSameImage() throws {
        let implied = try ImageReference(parsing: "busybox:1.36")
        let spelt = try ImageReference(parsing: "docker.io/library/busybox:1.36")
        #expect(!implied.namesRegistry)
        #expect(spelt.namesRegistry)
        #expect(implied == spelt)
        #expect(Set([implied, spelt]).count == 1)
    }

    @Test func digestOnlyReferenceHasNoTag() throws {
        let ref = try ImageReference(parsing: "localhost:5000/app@\(Self.digest)")
        #expect(ref.tag == nil)
        #expect(ref.description == "localhost:5000/app@\(Self.digest)")
    }

    @Test func malformedDigestsAreRefused() {
        for bad in [
            "app@sha256:abc", "app@md5:" + String(repeating: "a", count: 32), "app@sha256:" + String(repeating: "G", count: 64),
            "app@sha256:" + String(repeating: "A", count: 64), "127.0.0.1:5000/app:1@",
        ] {
            #expect(throws: (any Error).self, "\(bad)") { try ImageReference(parsing: bad) }
        }
    }

    @Test func onlyTheLoopbackGetsPlainHTTPUnasked() {
        for host in ["localhost", "localhost:5000", "127.0.0.1", "127.0.0.1:5000", "[::1]", "[::1]:5000", "LOCALHOST:1"] {
            #expect(RegistryClient.isLoopback(host), "\(host)")
        }
        for host in ["127.0.0.2:5000", "localhost.example.test", "10.0.0.1:5000", "registry.example.test", "[::2]:5000"] {
            #expect(!RegistryClient.isLoopback(host), "\(host)")
        }
    }
}
