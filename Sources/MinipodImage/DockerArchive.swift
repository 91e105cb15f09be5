import Foundation
import MinipodSystem

/// `docker save` / `podman save` archives: manifest.json names the config and
/// the (usually uncompressed) layer tars. They are converted into OCI blobs
/// and a manifest in the store, so every image is stored one way.
struct DockerArchiveManifest: Decodable {
    let Config: String
    let RepoTags: [String]?
    let Layers: [String]
}

extension ImageStore {
    func loadDockerArchive(_ work: String, archive: String, tag: String?) throws -> [String] {
        let data = Data(try FileIO.readBytes(work + "/manifest.json"))
        let entries = try JSONDecoder().decode([DockerArchiveManifest].self, from: data)
        var loaded: [String] = []
        for entry in entries {
            // A layer shared by two images of one archive is moved into the store once.
            let configPath = try memberPath(work, entry.Config, archive: archive)
            let configDigest = try Digest.sha256(file: configPath)
            let configData = Data(try FileIO.readBytes(configPath))
            let config = try JSONDecoder().decode(OCIImageConfig.self, from: configData)
            guard config.rootfs.diff_ids.count == entry.Layers.count else {
                throw MinipodError(.imageError, "\(archive): config lists \(config.rootfs.diff_ids.count) diff_ids for \(entry.Layers.count) layers")
            }
            try storeFile(configPath, digest: configDigest)
            var layers: [OCIDescriptor] = []
            for layer in entry.Layers {
                let path = try memberPath(work, layer, archive: archive)
                let digest = try Digest.sha256(file: path)
                let size = fileSize(path)
                try storeFile(path, digest: digest)
                layers.append(
                    OCIDescriptor(
                        mediaType: "application/vnd.oci.image.layer.v1.tar", digest: digest,
                        size: size, annotations: nil, platform: nil))
            }
            let manifest = OCIManifest(
                schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
                config: OCIDescriptor(
                    mediaType: "application/vnd.oci.image.config.v1+json", digest: configDigest,
                    size: Int64(configData.count), annotations: nil, platform: nil),
                layers: layers)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let manifestBytes = Array(try encoder.encode(manifest))
            let manifestDigest = Digest.sha256(manifestBytes)
            let manifestPath = try blobPath(manifestDigest)
            if !FileIO.exists(manifestPath) { try FileIO.writeAtomically(manifestPath, String(decoding: manifestBytes, as: UTF8.self)) }
            try unpackLayers(manifest: manifest, config: config, archive: archive)
            let descriptor = OCIDescriptor(
                mediaType: "application/vnd.oci.image.manifest.v1+json", digest: manifestDigest,
                size: Int64(manifestBytes.count), annotations: nil, platform: nil)
            let names = tag.map { [$0] } ?? entry.RepoTags ?? []
            guard !names.isEmpty else { throw MinipodError(.imageError, "\(archive): image has no RepoTags; pass a name with --tag") }
            for name in names {
                let ref = try ImageReference(parsing: name)
                try setTag(ref.description, to: descriptor)
                loaded.append(ref.description)
            }
        }
        return loaded
    }

    /// A member named by manifest.json, refusing names that leave the archive.
    /// Internal, not private: Fuzz/layer feeds it hostile names and symlinks.
    func memberPath(_ work: String, _ name: String, archive: String) throws -> String {
        guard !name.hasPrefix("/"), !name.split(separator: "/").contains("..") else {
            throw MinipodError(.imageError, "\(archive): manifest.json names \"\(name)\" outside the archive")
        }
        // Newer `docker save` archives name layers through symlinks; follow them, but only within the archive.
        let path = URL(fileURLWithPath: work + "/" + name).resolvingSymlinksInPath().path
        let root = URL(fileURLWithPath: work).resolvingSymlinksInPath().path
        guard path.hasPrefix(root + "/") else {
            throw MinipodError(.imageError, "\(archive): \(name) points outside the archive")
        }
        guard FileIO.exists(path) else { throw MinipodError(.imageError, "\(archive): \(name) is missing") }
        return path
    }

    private func storeFile(_ path: String, digest: String) throws {
        let destination = try blobPath(digest)
        if FileIO.exists(destination) || !FileIO.exists(path) { return }
        if rename(path, destination) != 0 { throw MinipodError.sys("store blob \(digest)") }
    }
}
