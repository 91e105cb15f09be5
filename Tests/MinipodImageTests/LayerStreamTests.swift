import Foundation
import MinipodSystem
import Testing

@testable import MinipodImage

/// The one-pass layer import: each layer blob is read once, hashed twice (blob digest,
/// diff_id), inflated and unpacked by tar, and kept only when everything matched.
/// Fixtures are made with tar, gzip and zstd; no root needed.
@Suite struct LayerStreamTests {
    let dir = NSTemporaryDirectory() + "/minipod-layerstream-\(UUID().uuidString)"

    init() throws { try FileIO.makeDirectories(dir) }

    /// A scratch directory per test: Swift Testing makes a new instance per test and has no teardown,
    /// so each test removes it with `defer { cleanUp() }`.
    func cleanUp() { try? FileIO.removeTree(dir) }

    @discardableResult
    func sh(_ script: String) throws -> [UInt8] {
        let result = try Spawn.run("/bin/sh", ["-c", "set -e; cd \"$0\"; " + script, dir])
        try #require(result.status == .exited(0), "\(script): \(String(decoding: result.stderr, as: UTF8.self))")
        return result.stdout
    }

    func hashOf(_ file: String) throws -> String {
        "sha256:" + String(decoding: try sh("sha256sum \(file) | cut -c1-64"), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// layer.tar of a few files, and layer.tar.gz of it.
    func makeLayer() throws {
        try sh(
            """
            mkdir -p src/etc src/bin; echo hello > src/etc/motd; head -c 300000 /dev/urandom > src/bin/tool
            ln -s ../etc/motd src/bin/link; tar -C src -cf layer.tar .; gzip -c layer.tar > layer.tar.gz
            """)
    }

    func message(_ body: () throws -> Void) -> String {
        do { try body() } catch let error as MinipodError { return error.message } catch { return "not a MinipodError: \(error)" }
        return "no error"
    }

    @Test func gzipMembersOneAfterAnotherAndZeroPaddingInflate() throws {
        defer { cleanUp() }
        try sh("printf one | gzip -c > two.gz; printf two | gzip -c >> two.gz; head -c 700 /dev/zero >> two.gz")
        #expect(try Digest.sha256(decompressing: dir + "/two.gz") == Digest.sha256(Array("onetwo".utf8)))
        try sh("cp two.gz junk.gz; printf x >> junk.gz")
        #expect(message { _ = try Digest.sha256(decompressing: dir + "/junk.gz") }.contains("data after its zero padding"))
        try sh("head -c 100000 /dev/urandom | gzip -c | head -c 50000 > cut.gz")
        #expect(message { _ = try Digest.sha256(decompressing: dir + "/cut.gz") }.contains("damaged or truncated"))
    }

    @Test(arguments: ["gzip", "zstd", "none"])
    func layerIsUnpackedAndHashedInOnePass(compression: String) throws {
        defer { cleanUp() }
        try makeLayer()
        let blob = compression == "gzip" ? "layer.tar.gz" : compression == "zstd" ? "layer.tar.zst" : "layer.tar"
        if compression == "zstd" { try sh("zstd -q layer.tar -o layer.tar.zst") }
        try FileIO.makeDirectories(dir + "/out")
        var blobDigest: String?
        let diffID = try LayerStream.extract(
            blob: dir + "/" + blob, into: dir + "/out", scratch: dir, checkBlob: { blobDigest = $0 })
        #expect(diffID == (try hashOf("layer.tar")))
        #expect(blobDigest == (try hashOf(blob)))
        #expect(try sh("cmp src/bin/tool out/bin/tool && readlink out/bin/link && cat out/etc/motd") == Array("../etc/motd\nhello\n".utf8))
    }

    /// An OCI layout with one layer whose manifest names `digest` and whose config names `diffID`.
    func layout(digest: String, diffID: String) throws -> (OCIManifest, OCIImageConfig) {
        try sh("mkdir -p layout/blobs/sha256; cp layer.tar.gz layout/blobs/sha256/\(Digest.hex(digest))")
        let layer = OCIDescriptor(mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: digest, size: 0)
        let config = OCIDescriptor(mediaType: "application/vnd.oci.image.config.v1+json", digest: Digest.sha256([]), size: 0)
        return (
            OCIManifest(schemaVersion: 2, config: config, layers: [layer]),
            OCIImageConfig(rootfs: .init(type: "layers", diff_ids: [diffID]))
        )
    }

    /// What a failed import must not leave: a layer, a scratch directory, a blob in the store.
    func expectNothingLeft(_ store: ImageStore) {
        #expect(((try? FileIO.listDirectory(store.layersDir)) ?? []).isEmpty)
        #expect(((try? FileIO.listDirectory(store.root + "/tmp")) ?? []).isEmpty)
        #expect(((try? FileIO.listDirectory(store.blobsDir)) ?? []).isEmpty)
    }

    @Test func aWrongDigestFoundAtTheEndOfTheStreamLeavesNothing() throws {
        defer { cleanUp() }
        try makeLayer()
        let wrong = Digest.sha256(Array("another layer".utf8))
        let (manifest, config) = try layout(digest: wrong, diffID: try hashOf("layer.tar"))
        let store = ImageStore(root: dir + "/store")
        try FileIO.makeDirectories(store.blobsDir)
        try FileIO.makeDirectories(store.layersDir)
        let text = message { try store.unpackLayers(manifest: manifest, config: config, archive: "x.tar", layout: dir + "/layout") }
        #expect(text.contains("blob \(wrong) does not match its content (\(try hashOf("layer.tar.gz")))"), "\(text)")
        expectNothingLeft(store)
    }

    @Test func aWrongDiffIDLeavesNothing() throws {
        defer { cleanUp() }
        try makeLayer()
        let (manifest, config) = try layout(digest: try hashOf("layer.tar.gz"), diffID: Digest.sha256([1]))
        let store = ImageStore(root: dir + "/store")
        try FileIO.makeDirectories(store.blobsDir)
        try FileIO.makeDirectories(store.layersDir)
        let text = message { try store.unpackLayers(manifest: manifest, config: config, archive: "x.tar", layout: dir + "/layout") }
        #expect(text.contains("layer 0 uncompresses to \(try hashOf("layer.tar")), config says"), "\(text)")
        expectNothingLeft(store)
    }

    @Test func aLayerThatMatchesIsStoredWithItsBlob() throws {
        defer { cleanUp() }
        try makeLayer()
        let digest = try hashOf("layer.tar.gz")
        let (manifest, config) = try layout(digest: digest, diffID: try hashOf("layer.tar"))
        let store = ImageStore(root: dir + "/store")
        try FileIO.makeDirectories(store.blobsDir)
        try FileIO.makeDirectories(store.layersDir)
        try store.unpackLayers(manifest: manifest, config: config, archive: "x.tar", layout: dir + "/layout")
        #expect(try FileIO.listDirectory(store.blobsDir) == [Digest.hex(digest)])
        #expect(try FileIO.listDirectory(store.layersDir) == [Digest.hex(try hashOf("layer.tar"))])
        #expect(((try? FileIO.listDirectory(store.root + "/tmp")) ?? []).isEmpty)
    }

    /// The last byte of a gzip stream is its length check: the stream fails there, but what is
    /// reported is the wrong digest (the blob is not the one named), not the damage.
    @Test func aDamagedBlobIsReportedByItsDigestFirst() throws {
        defer { cleanUp() }
        try makeLayer()
        let digest = try hashOf("layer.tar.gz")
        try sh("python3 -c \"import sys; d=bytearray(open('layer.tar.gz','rb').read()); d[-1]^=1; open('layer.tar.gz','wb').write(d)\"")
        try FileIO.makeDirectories(dir + "/out")
        let named = message {
            _ = try LayerStream.extract(
                blob: dir + "/layer.tar.gz", into: dir + "/out", scratch: dir,
                checkBlob: { if $0 != digest { throw MinipodError(.imageError, "does not match its content") } })
        }
        #expect(named == "does not match its content")
        let unchecked = message { _ = try LayerStream.extract(blob: dir + "/layer.tar.gz", into: dir + "/out", scratch: dir) }
        #expect(unchecked.contains("the archive is damaged or truncated (gzip stream is damaged: incorrect length check)"), "\(unchecked)")
    }

    /// 64 MiB of zeros in 64 KiB of gzip against a 1 MiB limit: the stream stops at the limit,
    /// tar has been handed no more than that.
    @Test func aTarBombStopsWhileItStreams() throws {
        defer { cleanUp() }
        try sh("mkdir src; head -c 67108864 /dev/zero > src/zeros; tar -C src -cf - . | gzip -c > bomb.tar.gz; rm -r src")
        try FileIO.makeDirectories(dir + "/out")
        let text = message {
            _ = try LayerStream.extract(blob: dir + "/bomb.tar.gz", into: dir + "/out", scratch: dir, limit: 1 << 20)
        }
        #expect(text.hasSuffix("unpacks to more than 1048576 bytes (MINIPOD_MAX_LAYER_SIZE): refused as a tar bomb"), "\(text)")
        var st = stat()
        if stat(dir + "/out/zeros", &st) == 0 { #expect(st.st_size <= 1 << 20) }
    }

    /// gzip'd random bytes are no tar: tar exits at once while megabytes are still to come.
    /// The writes then fail with EPIPE; SIGPIPE must not end this process.
    @Test func aTarThatStopsReadingIsReportedAndDoesNotKillTheCaller() throws {
        defer { cleanUp() }
        try sh("head -c 8000000 /dev/urandom | gzip -1 -c > noise.gz")
        try FileIO.makeDirectories(dir + "/out")
        let text = message { _ = try LayerStream.extract(blob: dir + "/noise.gz", into: dir + "/out", scratch: dir) }
        #expect(text.contains("cannot unpack layer"), "\(text)")
        #expect(text.contains("tar"), "\(text)")
    }
}
