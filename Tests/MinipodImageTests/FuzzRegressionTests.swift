import Foundation
@testable import MinipodImage
import MinipodSystem
import Testing

/// Inputs that Fuzz/image-metadata (libFuzzer, `make fuzz`) found to break a promise,
/// kept as found (after libFuzzer's -minimize_crash) next to a readable variant.
@Suite struct ImageMetadataFuzzRegressions {
    /// `Bearer realm=http:` passed the scheme check and sent the token request to
    /// "http:?scope=…"; `http:/host/token` has no host for URLComponents either, but curl
    /// would fetch it from "host". A realm without a host is refused before any request.
    @Test(arguments: ["Bearer realm=http:", #"Bearer realm="http:/registry.example/token",service=r"#])
    func tokenRealmWithoutHostIsRefused(header: String) throws {
        let fake = FakeRegistry { _ in RegistryResponse(status: 200, headers: [:], body: Array(#"{"token":"T"}"#.utf8)) }
        let client = RegistryClient(reference: try ImageReference(parsing: "127.0.0.1:5000/app:1"), displayName: "127.0.0.1:5000/app:1",
                                    options: .init(), transport: fake)
        let challenge = try #require(AuthChallenge.parse(header).first)
        #expect(throws: MinipodError.self) { try client.fetchToken(challenge) }
        #expect(fake.requests.isEmpty)
        do { _ = try client.fetchToken(challenge) } catch let error as MinipodError {
            #expect(error.message.contains("named no usable token realm"), "\(error)")
        }
    }
}

/// Inputs that Fuzz/layer found. Layers come from tar archives, whose member names are bytes:
/// the fixtures here are made with byte names, never through String paths.
@Suite struct LayerFuzzRegressions {
    /// A layer with `f \xff` and `d \xfe/x`: FileIO.removeTree (failed unpacks, prune, image rm)
    /// listed names as Strings, which turn invalid UTF-8 into U+FFFD, so unlink missed them
    /// and rmdir failed with "Directory not empty".
    @Test func treeWithNamesThatAreNotUTF8IsRemoved() throws {
        let root = NSTemporaryDirectory() + "/minipod-fuzz-regression-\(UUID().uuidString)"
        try FileIO.makeDirectories(root)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let rootBytes = Array(root.utf8)
        #expect(mkdirBytes(rootBytes + [0x2f, 0xfe]) == 0)
        #expect(createFileBytes(rootBytes + [0x2f, 0xff]))
        #expect(createFileBytes(rootBytes + [0x2f, 0xfe, 0x2f, 0x78]))
        try FileIO.removeTree(root)
        #expect(!FileIO.exists(root))
    }
}

func mkdirBytes(_ path: [UInt8]) -> Int32 {
    (path + [0]).withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { mkdir($0.baseAddress!, 0o755) } }
}

func createFileBytes(_ path: [UInt8]) -> Bool {
    let fd = (path + [0]).withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_WRONLY | O_CREAT | O_EXCL, 0o644) } }
    if fd >= 0 { close(fd) }
    return fd >= 0
}
