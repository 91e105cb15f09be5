import Foundation
import MinipodSystem

/// Content-addressed image store under <root>/images (an OCI image layout)
/// with each layer unpacked once under <root>/layers/<chain-id>.
public struct ImageStore {
    public let root: String
    var imagesDir: String { root + "/images" }
    var blobsDir: String { imagesDir + "/blobs/sha256" }
    var layersDir: String { root + "/layers" }
    var indexPath: String { imagesDir + "/index.json" }

    public static let refAnnotation = "org.opencontainers.image.ref.name"

    public init(root: String) { self.root = root }

    // MARK: reading

    public func index() throws -> OCIIndex {
        guard FileIO.exists(indexPath) else { return OCIIndex(manifests: []) }
        return try JSONDecoder().decode(OCIIndex.self, from: Data(try FileIO.readBytes(indexPath)))
    }

    public func blob(_ digest: String) throws -> Data {
        Data(try FileIO.readBytes(blobPath(digest)))
    }

    func blobPath(_ digest: String) throws -> String {
        let parts = digest.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, parts[0] == "sha256", parts[1].count == 64, parts[1].allSatisfy(\.isHexDigit) else {
            throw MinipodError(.imageError, "unsupported or malformed digest \"\(digest)\"")
        }
        return blobsDir + "/" + parts[1]
    }

    /// The image a pod names (`busybox:1.36`), or a notFound error telling how to load it.
    public func resolve(_ name: String) throws -> Image {
        let ref = try ImageReference(parsing: name)
        guard let descriptor = try index().manifests.first(where: { $0.annotations?[Self.refAnnotation] == ref.description }) else {
            throw MinipodError(
                .notFound,
                "image \"\(name)\" is not present; load it with `minipod image load FILE`\(ref.namesRegistry ? " or pull it with `minipod image pull \(name)`" : "")"
            )
        }
        return try image(for: descriptor, reference: ref.description)
    }

    func image(for descriptor: OCIDescriptor, reference: String) throws -> Image {
        let manifest = try JSONDecoder().decode(OCIManifest.self, from: try blob(descriptor.digest))
        let config = try JSONDecoder().decode(OCIImageConfig.self, from: try blob(manifest.config.digest))
        let chain = Digest.chainIDs(config.rootfs.diff_ids)
        let dirs = chain.map { layersDir + "/" + Digest.hex($0) }
        for (i, dir) in dirs.enumerated() where !FileIO.isDirectory(dir) {
            throw MinipodError(.imageError, "layer \(i) of \(reference) is not unpacked (\(dir)); load the image again")
        }
        let size = manifest.layers.reduce(manifest.config.size) { $0 + $1.size }
        return Image(
            reference: reference, digest: descriptor.digest, configDigest: manifest.config.digest,
            config: config, layerDirectories: dirs, size: size)
    }

    public func list() throws -> [Image] {
        try index().manifests.compactMap { d in
            guard let ref = d.annotations?[Self.refAnnotation] else { return nil }
            return try? image(for: d, reference: ref)
        }
    }
}
