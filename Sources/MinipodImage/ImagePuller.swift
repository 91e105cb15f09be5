import Foundation
import MinipodSystem

extension ImageStore {
    public struct PulledImage: Sendable {
        public var reference: String  // as tagged in the store
        public var imageID: String  // config digest, hex (what `image ls` shows the start of)
    }

    /// `minipod image pull`: downloads the manifest (the linux/<host arch> one of an
    /// index), then each blob the store lacks into a staging OCI layout, each verified
    /// while it streams; then the layout goes through the same import as `image load`
    /// (layers unpacked once per chain id) and the image is tagged under `name`.
    /// A failure leaves neither a tag, nor a blob, nor a layer of this pull behind.
    @discardableResult
    public func pull(
        _ name: String, options: RegistryClient.Options = .init(), transport: RegistryTransport? = nil,
        progress: (String) -> Void = { _ in }
    ) throws -> PulledImage {
        do {
            return try pullOnce(name, options: options, transport: transport, progress: progress)
        } catch var error as MinipodError where !error.message.contains("\"\(name)\"") {
            error.message = "cannot pull \"\(name)\": " + error.message  // every error names the image
            throw error
        }
    }

    private func pullOnce(
        _ name: String, options: RegistryClient.Options, transport: RegistryTransport?,
        progress: (String) -> Void
    ) throws -> PulledImage {
        let ref = try ImageReference(parsing: name)
        try FileIO.makeDirectories(blobsDir)
        try FileIO.makeDirectories(layersDir)
        removeStaleScratch()
        let staging = root + "/tmp/pull-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileIO.makeDirectories(staging + "/blobs/sha256")
        defer { try? FileIO.removeTree(staging) }
        let client = RegistryClient(
            reference: ref, displayName: name, options: options,
            transport: transport ?? CurlTransport(scratch: staging))

        progress("Trying to pull \(ref.description)...")
        var document = try client.manifest(ref.manifestReference)
        if document.kind == .index {
            let index = try JSONDecoder().decode(OCIIndex.self, from: Data(document.bytes))
            guard let chosen = ManifestKind.choosePlatform(index) else {
                throw MinipodError(
                    .imageError, "image \"\(name)\" has no linux/\(Self.hostArchitecture) variant (it has \(ManifestKind.platforms(index)))")
            }
            document = try client.manifest(chosen.digest)
            guard document.kind == .manifest else {
                throw MinipodError(.imageError, "image \"\(name)\": the index entry for linux/\(Self.hostArchitecture) is another index")
            }
        }
        let manifest = try JSONDecoder().decode(OCIManifest.self, from: Data(document.bytes))
        guard Self.imageConfigTypes.contains(manifest.config.mediaType) else {
            throw MinipodError(.imageError, "\"\(name)\" is not a container image (its config is \(manifest.config.mediaType))")
        }
        try Data(document.bytes).write(to: URL(fileURLWithPath: try stagedBlob(staging, document.digest)))

        progress("Getting image source signatures")
        var verified: Set<String> = [document.digest]
        for (blob, kind) in manifest.layers.map({ ($0, "blob") }) + [(manifest.config, "config")] {
            let shown = "\(kind) \(Self.short(blob.digest))"
            if FileIO.exists(try blobPath(blob.digest)) || verified.contains(blob.digest) {
                progress("Copying \(shown) skipped: already exists")
                continue
            }
            try client.blob(blob.digest, to: try stagedBlob(staging, blob.digest))
            verified.insert(blob.digest)
            progress("Copying \(shown) done")
        }

        progress("Writing manifest to image destination")
        let descriptor = OCIDescriptor(
            mediaType: document.mediaType, digest: document.digest, size: Int64(document.bytes.count),
            annotations: nil, platform: nil)
        try removingWhatFails {
            try importManifest(descriptor, layout: staging, archive: ref.description, verified: verified)
            try setTag(ref.description, to: descriptor)
        }
        return PulledImage(reference: ref.description, imageID: Digest.hex(manifest.config.digest))
    }

    static let imageConfigTypes: Set<String> = ["application/vnd.oci.image.config.v1+json", "application/vnd.docker.container.image.v1+json"]

    /// `sha256:d36d5109dfe9…`: what podman shows of a digest.
    static func short(_ digest: String) -> String { "sha256:" + Digest.hex(digest).prefix(12) + "…" }

    private func stagedBlob(_ staging: String, _ digest: String) throws -> String {
        guard ImageReference.isSHA256Digest(digest) else { throw MinipodError(.imageError, "unsupported or malformed digest \"\(digest)\"") }
        return staging + "/blobs/sha256/" + Digest.hex(digest)
    }

    /// Runs an import; if it throws, blobs and layer directories that appeared meanwhile are
    /// removed again (like prune, this assumes no other import of the same content runs at once).
    private func removingWhatFails(_ body: () throws -> Void) throws {
        let blobsBefore = Set((try? FileIO.listDirectory(blobsDir)) ?? [])
        let layersBefore = Set((try? FileIO.listDirectory(layersDir)) ?? [])
        do {
            try body()
        } catch {
            for name in Set((try? FileIO.listDirectory(blobsDir)) ?? []).subtracting(blobsBefore) { unlink(blobsDir + "/" + name) }
            for name in Set((try? FileIO.listDirectory(layersDir)) ?? []).subtracting(layersBefore) { try? FileIO.removeTree(layersDir + "/" + name) }
            throw error
        }
    }
}
