import Foundation
import MinipodSystem

extension ImageStore {
    /// Loads an OCI image-layout archive (podman/skopeo `oci-archive`, Images/ recipes):
    /// verifies every blob against its digest, stores it, unpacks each layer once,
    /// and tags the image by its `org.opencontainers.image.ref.name`.
    /// Returns the references loaded.
    @discardableResult
    public func load(archive: String, tag: String? = nil) throws -> [String] {
        guard FileIO.exists(archive) else { throw MinipodError(.notFound, "\(archive): no such file") }
        try FileIO.makeDirectories(blobsDir)
        try FileIO.makeDirectories(layersDir)
        removeStaleScratch()
        let work = root + "/tmp/load-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileIO.makeDirectories(work)
        defer { try? FileIO.removeTree(work) }

        let untar = try Spawn.run("/bin/tar", ["--no-same-owner", "--no-same-permissions", "-xf", archive, "-C", work])
        guard untar.status == .exited(0) else {
            throw MinipodError(.imageError, "\(archive): not a readable tar archive: \(String(decoding: untar.stderr, as: UTF8.self).prefix(200))")
        }
        guard FileIO.exists(work + "/oci-layout"), FileIO.exists(work + "/index.json") else {
            if FileIO.exists(work + "/manifest.json") { return try loadDockerArchive(work, archive: archive, tag: tag) }
            throw MinipodError(.imageError, "\(archive): neither an OCI image layout (oci-layout, index.json) nor a docker archive (manifest.json)")
        }
        let archiveIndex = try JSONDecoder().decode(OCIIndex.self, from: Data(try FileIO.readBytes(work + "/index.json")))
        var loaded: [String] = []
        for descriptor in archiveIndex.manifests {
            let manifestDescriptor = try pickManifest(descriptor, layout: work)
            let name = tag ?? descriptor.annotations?["io.containerd.image.name"] ?? descriptor.annotations?[Self.refAnnotation]
            guard let name else { throw MinipodError(.imageError, "\(archive): manifest \(descriptor.digest) has no name; pass one with --tag") }
            let ref = try ImageReference(parsing: name)
            try importManifest(manifestDescriptor, layout: work, archive: archive)
            try setTag(ref.description, to: manifestDescriptor)
            loaded.append(ref.description)
        }
        return loaded
    }

    /// A nested index (multi-platform) picks linux and the host architecture.
    private func pickManifest(_ d: OCIDescriptor, layout: String) throws -> OCIDescriptor {
        guard d.mediaType.contains("index") || d.mediaType.contains("manifest.list") else { return d }
        let nested = try JSONDecoder().decode(OCIIndex.self, from: Data(try FileIO.readBytes(try layoutBlob(layout, d.digest))))
        guard let match = ManifestKind.choosePlatform(nested) else {
            throw MinipodError(.imageError, "no linux/\(Self.hostArchitecture) image in index \(d.digest) (it has \(ManifestKind.platforms(nested)))")
        }
        return match
    }

    public static var hostArchitecture: String {
        #if arch(x86_64)
            return "amd64"
        #elseif arch(arm64)
            return "arm64"
        #else
            return "unknown"
        #endif
    }

    private func layoutBlob(_ layout: String, _ digest: String) throws -> String {
        let hex = Digest.hex(digest)
        guard hex.count == 64, hex.allSatisfy(\.isHexDigit) else { throw MinipodError(.imageError, "malformed digest \(digest)") }
        return layout + "/blobs/sha256/" + hex
    }

    /// Stores a manifest's blobs from an OCI layout directory (an unpacked archive, or a
    /// pull's staging directory) and unpacks its layers. Blobs in `verified` were hashed
    /// while they were downloaded and are not hashed again.
    func importManifest(_ d: OCIDescriptor, layout: String, archive: String, verified: Set<String> = []) throws {
        let manifestData = try storeBlob(d.digest, from: layout, archive: archive, verified: verified)
        let manifest = try JSONDecoder().decode(OCIManifest.self, from: manifestData)
        let configData = try storeBlob(manifest.config.digest, from: layout, archive: archive, verified: verified)
        let config = try JSONDecoder().decode(OCIImageConfig.self, from: configData)
        guard config.rootfs.diff_ids.count == manifest.layers.count else {
            throw MinipodError(.imageError, "\(archive): config lists \(config.rootfs.diff_ids.count) diff_ids for \(manifest.layers.count) layers")
        }
        try unpackLayers(manifest: manifest, config: config, archive: archive, layout: layout, verified: verified)
    }

    /// Unpacks each layer not yet present and stores its blob. A layer is read once: its
    /// digest (unless the store has the blob, or `verified` names it) and its diff_id are
    /// computed while it streams into a scratch directory, kept only when both match.
    /// Blobs the store lacks come from `layout`; the blob moves into the store after its layer.
    func unpackLayers(
        manifest: OCIManifest, config: OCIImageConfig, archive: String, layout: String? = nil, verified: Set<String> = []
    ) throws {
        let chain = Digest.chainIDs(config.rootfs.diff_ids)
        for (i, layer) in manifest.layers.enumerated() {
            let stored = try blobPath(layer.digest)
            let inStore = FileIO.exists(stored)
            var source = stored
            if !inStore, let layout { source = try layoutBlob(layout, layer.digest) }
            guard FileIO.exists(source) else { throw MinipodError(.imageError, "\(archive): blob \(layer.digest) is missing") }
            let checkBlob: ((String) throws -> Void)? =
                inStore || verified.contains(layer.digest)
                ? nil
                : { actual in
                    guard actual == layer.digest else {
                        throw MinipodError(.imageError, "\(archive): blob \(layer.digest) does not match its content (\(actual))")
                    }
                }
            let target = layersDir + "/" + Digest.hex(chain[i])
            let expected = config.rootfs.diff_ids[i]
            if !FileIO.isDirectory(target) {
                try LayerUnpacker.unpack(
                    blob: source, into: target, scratch: root + "/tmp", checkBlob: checkBlob,
                    checkContent: { diffID in
                        guard diffID == expected else {
                            throw MinipodError(.imageError, "\(archive): layer \(i) uncompresses to \(diffID), config says \(expected)")
                        }
                    })
            } else if let checkBlob {
                try checkBlob(try Digest.sha256(file: source))  // unpacked by an earlier image: only the blob is new
            }
            if !inStore && rename(source, stored) != 0 { throw MinipodError.sys("store blob \(layer.digest)") }
        }
    }

    /// Verifies a blob of the archive (a manifest, a config) against its digest, moves it into the store, and reads it.
    private func storeBlob(_ digest: String, from layout: String, archive: String, verified: Set<String> = []) throws -> Data {
        let destination = try blobPath(digest)
        if !FileIO.exists(destination) {
            let source = try layoutBlob(layout, digest)
            guard FileIO.exists(source) else { throw MinipodError(.imageError, "\(archive): blob \(digest) is missing") }
            if !verified.contains(digest) {
                let actual = try Digest.sha256(file: source)
                guard actual == digest else {
                    throw MinipodError(.imageError, "\(archive): blob \(digest) does not match its content (\(actual))")
                }
            }
            if rename(source, destination) != 0 { throw MinipodError.sys("store blob \(digest)") }
        }
        return try blob(digest)
    }

    func setTag(_ ref: String, to d: OCIDescriptor) throws {
        var index = try self.index()
        index.manifests.removeAll { $0.annotations?[Self.refAnnotation] == ref }
        var tagged = OCIDescriptor(mediaType: d.mediaType, digest: d.digest, size: d.size, annotations: [Self.refAnnotation: ref])
        tagged.platform = d.platform
        index.manifests.append(tagged)
        try saveIndex(index)
        if !FileIO.exists(imagesDir + "/oci-layout") {
            try FileIO.write(imagesDir + "/oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}")
        }
    }
}
