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
        let chain = try Digest.chainIDs([a, b])
        #expect(chain[0] == a)
        #expect(chain[1] == (try Digest.sha256(Array("\(a) \(b)".utf8))))
        #expect(chain[1].hasPrefix("sha256:") && chain[1].count == 71)
    }
}
