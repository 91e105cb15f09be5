import Foundation
import MinipodSystem

/// The manifest documents a registry may answer with, and how a pull picks
/// the one image it unpacks: an index (OCI) or manifest list (Docker) names
/// one manifest per platform; a manifest names a config and layers.
public enum ManifestKind: Equatable, Sendable {
    case index
    case manifest

    public static let ociIndex = "application/vnd.oci.image.index.v1+json"
    public static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    public static let dockerList = "application/vnd.docker.distribution.manifest.list.v2+json"
    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"

    /// Sent as `Accept`: without it a Docker registry falls back to schema 1, which has no config blob.
    public static let accepted = [ociIndex, ociManifest, dockerList, dockerManifest]

    /// Classifies a registry answer by its Content-Type, falling back to the document's own
    /// `mediaType` (some registries send `application/json`), then to its shape.
    public static func classify(contentType: String?, body: [UInt8]) throws -> (ManifestKind, mediaType: String) {
        let header = contentType?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let probe = try? JSONDecoder().decode(Probe.self, from: Data(body))
        for candidate in [header, probe?.mediaType].compactMap({ $0 }) {
            switch candidate {
            case ociIndex, dockerList: return (.index, candidate)
            case ociManifest, dockerManifest: return (.manifest, candidate)
            case let t where t.hasPrefix("application/vnd.docker.distribution.manifest.v1"):
                throw MinipodError(.imageError, "the registry only offers a Docker schema 1 manifest (\(t)), which minipod does not read")
            default: continue
            }
        }
        // An OCI document may leave mediaType out: `manifests` means index, `config` + `layers` a manifest.
        if probe?.manifests != nil { return (.index, ociIndex) }
        if probe?.config != nil { return (.manifest, ociManifest) }
        throw MinipodError(.imageError, "unsupported manifest type \(header ?? "(none)")")
    }

    private struct Probe: Decodable {
        var mediaType: String?
        var manifests: [OCIDescriptor]?
        var config: OCIDescriptor?
    }

    /// The index entry for linux on this machine's architecture. arm64 entries that
    /// name a variant must name v8; attestation entries (platform unknown/unknown) never match.
    public static func choosePlatform(
        _ index: OCIIndex, os: String = "linux",
        architecture: String = ImageStore.hostArchitecture
    ) -> OCIDescriptor? {
        let matching = index.manifests.filter { $0.platform?.os == os && $0.platform?.architecture == architecture }
        let acceptedVariants: [String?] = architecture == "arm64" ? ["v8", nil] : [nil]
        for variant in acceptedVariants {
            if let d = matching.first(where: { $0.platform?.variant == variant }) { return d }
        }
        return matching.first
    }

    /// Describes an index's platforms for an error message: "linux/arm64, linux/arm/v7".
    public static func platforms(_ index: OCIIndex) -> String {
        let names = index.manifests.compactMap { d in
            d.platform.map { p in ([p.os, p.architecture] + (p.variant.map { [$0] } ?? [])).joined(separator: "/") }
        }
        return names.isEmpty ? "none listed" : names.joined(separator: ", ")
    }
}
