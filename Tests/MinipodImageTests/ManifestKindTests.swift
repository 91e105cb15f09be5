import Foundation
import Testing

@testable import MinipodImage

struct ManifestKindTests {
    func descriptor(_ arch: String, _ os: String = "linux", variant: String? = nil, digest: Character) -> OCIDescriptor {
        OCIDescriptor(
            mediaType: ManifestKind.ociManifest, digest: "sha256:" + String(repeating: digest, count: 64), size: 1,
            annotations: nil, platform: .init(architecture: arch, os: os, variant: variant))
    }

    @Test func acceptListsBothOCIAndDockerDocuments() {
        #expect(ManifestKind.accepted.contains("application/vnd.oci.image.index.v1+json"))
        #expect(ManifestKind.accepted.contains("application/vnd.oci.image.manifest.v1+json"))
        #expect(ManifestKind.accepted.contains("application/vnd.docker.distribution.manifest.list.v2+json"))
        #expect(ManifestKind.accepted.contains("application/vnd.docker.distribution.manifest.v2+json"))
    }

    @Test(arguments: [
        ("application/vnd.oci.image.index.v1+json", ManifestKind.index),
        ("application/vnd.docker.distribution.manifest.list.v2+json", .index),
        ("application/vnd.oci.image.manifest.v1+json", .manifest),
        ("application/vnd.docker.distribution.manifest.v2+json; charset=utf-8", .manifest),
    ])
    func contentTypeDecides(contentType: String, kind: ManifestKind) throws {
        let (found, mediaType) = try ManifestKind.classify(contentType: contentType, body: Array("{}".utf8))
        #expect(found == kind)
        #expect(contentType.hasPrefix(mediaType))
    }

    @Test func plainJSONFallsBackToTheDocumentsMediaTypeThenItsShape() throws {
        let list = #"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[]}"#
        let fromField = try ManifestKind.classify(contentType: "application/json", body: Array(list.utf8))
        #expect(fromField.0 == .index && fromField.mediaType == ManifestKind.dockerList)
        let bareIndex = #"{"schemaVersion":2,"manifests":[]}"#
        let indexShape = try ManifestKind.classify(contentType: nil, body: Array(bareIndex.utf8))
        #expect(indexShape.0 == .index && indexShape.mediaType == ManifestKind.ociIndex)
        let bareManifest = #"{"schemaVersion":2,"config":{"mediaType":"x","digest":"sha256:00","size":1},"layers":[]}"#
        let manifestShape = try ManifestKind.classify(contentType: "text/plain", body: Array(bareManifest.utf8))
        #expect(manifestShape.0 == .manifest && manifestShape.mediaType == ManifestKind.ociManifest)
    }

    @Test func schemaOneAndUnknownDocumentsAreRefusedWithTheirType() {
        #expect(throws: (any Error).self) {
            try ManifestKind.classify(contentType: "application/vnd.docker.distribution.manifest.v1+prettyjws", body: [])
        }
        do {
            _ = try ManifestKind.classify(contentType: "text/html", body: Array("<html>".utf8))
            Issue.record("text/html was accepted")
        } catch {
            #expect("\(error)".contains("text/html"))
        }
    }

    @Test func picksLinuxOnTheRequestedArchitectureSkippingAttestations() {
        let index = OCIIndex(manifests: [
            descriptor("unknown", "unknown", digest: "0"), descriptor("arm", variant: "v7", digest: "1"),
            descriptor("amd64", "windows", digest: "2"), descriptor("amd64", digest: "3"),
            descriptor("arm64", variant: "v8", digest: "4"),
        ])
        #expect(ManifestKind.choosePlatform(index, architecture: "amd64")?.digest.hasSuffix("3333") == true)
        #expect(ManifestKind.choosePlatform(index, architecture: "arm64")?.digest.hasSuffix("4444") == true)
        #expect(ManifestKind.choosePlatform(index, architecture: "s390x") == nil)
        #expect(ManifestKind.platforms(index) == "unknown/unknown, linux/arm/v7, windows/amd64, linux/amd64, linux/arm64/v8")
    }

    @Test func arm64PrefersV8OverAnotherVariant() {
        let index = OCIIndex(manifests: [descriptor("arm64", variant: "v9", digest: "1"), descriptor("arm64", variant: "v8", digest: "2")])
        #expect(ManifestKind.choosePlatform(index, architecture: "arm64")?.digest.hasSuffix("2222") == true)
    }

    @Test func theDefaultIsThisMachine() {
        let index = OCIIndex(manifests: [descriptor("amd64", digest: "a"), descriptor("arm64", digest: "b")])
        #expect(ManifestKind.choosePlatform(index)?.platform?.architecture == ImageStore.hostArchitecture)
    }
}
