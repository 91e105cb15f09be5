import Foundation
import MinipodSystem
import Testing

@testable import MinipodImage

/// SHA-256 in this process (OpenSSL's libcrypto) against the standard's vectors and sha256sum(1).
@Suite struct DigestTests {
    @Test func sha256MatchesKnownVectors() {
        #expect(Digest.sha256([]) == "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Digest.sha256(Array("abc".utf8)) == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let twoBlocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
        #expect(Digest.sha256(Array(twoBlocks.utf8)) == "sha256:248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    /// A file larger than the read buffer, of a length that is no multiple of a block.
    @Test func sha256OfAFileMatchesSha256sum() throws {
        let path = NSTemporaryDirectory() + "/minipod-digest-\(UUID().uuidString)"
        defer { unlink(path) }
        let made = try Spawn.run("/bin/sh", ["-c", "head -c 3000001 /dev/urandom > \"$0\"", path])
        try #require(made.status == .exited(0))
        let sum = try Spawn.run("/usr/bin/sha256sum", ["--", path])
        let expected = "sha256:" + String(decoding: sum.stdout.prefix(64), as: UTF8.self)
        #expect(try Digest.sha256(file: path) == expected)
    }
}
