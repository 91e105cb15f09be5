import Foundation
import MinipodSystem
import Testing

@testable import MinipodImage

/// Inputs that Fuzz/image-metadata (libFuzzer, `make fuzz`) found to break a promise,
/// kept as found (after libFuzzer's -minimize_crash) next to a readable variant.
@Suite struct ImageMetadataFuzzRegressions {
    /// `Bearer realm=http:` passed the scheme check and sent the token request to
    /// "http:?scope=…"; `http:/host/token` has no host for URLComponents either, but curl
    /// would fetch it from "host". A realm without a host is refused before any request.
    @Test(arguments: ["Bearer realm=http:", #"Bearer realm="http:/registry.example/token",service=r"#])
    func tokenRealmWithoutHostIsRefused(header: String) throws {
        let fake = FakeRegistry { _ in RegistryResponse(status: 200, headers: [:], body: Array(#"{"token":"T"}"#.utf8)) }
        let client = RegistryClient(
            reference: try ImageReference(parsing: "127.0.0.1:5000/app:1"), displayName: "127.0.0.1:5000/app:1",
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

    /// `c \xff` (minimized by libFuzzer): a character device 1:1 named by a byte that is not
    /// UTF-8 stayed in the layer, since convertWhiteouts looked names up again as Strings and
    /// skipped what it could not find. Same for a whiteout `.wh.\xfe`. mknod needs root (as `make test` runs).
    @Test(.enabled(if: getuid() == 0, "mknod needs root"))
    func deviceAndWhiteoutNamedByBytesThatAreNotUTF8AreConverted() throws {
        let layer = NSTemporaryDirectory() + "/minipod-fuzz-regression-\(UUID().uuidString)"
        try FileIO.makeDirectories(layer)
        defer { try? FileIO.removeTree(layer) }
        let device = Array(layer.utf8) + [0x2f, 0xff]
        let whiteout = Array(layer.utf8) + Array("/.wh.".utf8) + [0xfe]
        #expect(withBytes(device) { mknod($0, S_IFCHR | 0o600, 1 << 8 | 1) } == 0)
        #expect(createFileBytes(whiteout))
        try LayerUnpacker.convertWhiteouts(in: layer)
        var st = stat()
        #expect(withBytes(device) { lstat($0, &st) } != 0, "the 1:1 device is still there")
        #expect(withBytes(whiteout) { lstat($0, &st) } != 0, "the whiteout marker is still there")
        #expect(withBytes(Array(layer.utf8) + [0x2f, 0xfe]) { lstat($0, &st) } == 0 && (st.st_mode & S_IFMT) == S_IFCHR && st.st_rdev == 0)
    }

    /// `d .wh.w` (minimized by libFuzzer): a directory named like a whiteout stayed in the
    /// layer, and what it held (`.wh.x/dev` block devices too) was never converted. Refused now.
    @Test(.enabled(if: getuid() == 0, "mknod needs root"), arguments: [".wh.w", ".wh..wh..opq"])
    func whiteoutThatIsADirectoryIsRefused(marker: String) throws {
        let layer = NSTemporaryDirectory() + "/minipod-fuzz-regression-\(UUID().uuidString)"
        try FileIO.makeDirectories(layer + "/" + marker)
        defer { try? FileIO.removeTree(layer) }
        #expect(mknod(layer + "/" + marker + "/sda", S_IFBLK | 0o600, 8 << 8) == 0)
        #expect(throws: MinipodError(.imageError, "layer has a directory \(layer)/\(marker) where a whiteout file belongs")) {
            try LayerUnpacker.convertWhiteouts(in: layer)
        }
    }
}

func withBytes<T>(_ path: [UInt8], _ body: (UnsafePointer<CChar>) -> T) -> T {
    (path + [0]).withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) } }
}

func mkdirBytes(_ path: [UInt8]) -> Int32 {
    withBytes(path) { mkdir($0, 0o755) }
}

func createFileBytes(_ path: [UInt8]) -> Bool {
    let fd = withBytes(path) { open($0, O_WRONLY | O_CREAT | O_EXCL, 0o644) }
    if fd >= 0 { close(fd) }
    return fd >= 0
}
