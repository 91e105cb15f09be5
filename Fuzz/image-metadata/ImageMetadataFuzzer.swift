import Foundation
import MinipodSystem

@testable import MinipodImage

// libFuzzer harness for image metadata (issue #9): what an image archive or a
// registry hands minipod before any layer is touched. Input: a first line,
// then a body (both may be anything):
//   - the first line is a registry's Content-Type for the body, and also a
//     WWW-Authenticate header, an image name (RepoTags / ref annotation /
//     `image pull NAME`) and a registry host;
//   - the body is decoded as every JSON document minipod reads: OCI index,
//     manifest and config, docker-archive manifest.json, a registry's error
//     document and token answer.
// Covered: ManifestKind.classify and choosePlatform/platforms (the registry's
// media-type and platform selection), the Codable models in OCIImage.swift and
// DockerArchive.swift, ImageReference, AuthChallenge, the token-realm URL built
// by RegistryClient.fetchToken (through a transport that answers with the body),
// isLoopback, and the digest → blob path mapping. Not covered: anything that
// spawns a process (sha256sum, tar, curl) — ImageStore.load / pull run those
// per call, which would leave the fuzzer at a few inputs a second.
//
// A finding is a crash, or one of these broken promises:
//  - an image name that parses prints (description) as a name that parses to the same reference
//    (tags are stored by description and looked up by parsing again);
//  - a digest the store accepts maps to a file directly inside blobs/sha256.

private let store = ImageStore(root: "/nonexistent-fuzz-root")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImageMetadata(_ start: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: start, count: size))
    let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
    let firstLine = String(decoding: bytes[..<newline], as: UTF8.self)
    let body = Array(bytes[min(newline + 1, bytes.count)...])
    let data = Data(body)

    _ = try? ManifestKind.classify(contentType: firstLine, body: body)
    _ = try? ManifestKind.classify(contentType: nil, body: body)

    let decoder = JSONDecoder()
    if let index = try? decoder.decode(OCIIndex.self, from: data) {
        for (os, architecture) in [("linux", "amd64"), ("linux", "arm64"), ("linux", firstLine)] {
            if let chosen = ManifestKind.choosePlatform(index, os: os, architecture: architecture) {
                check(
                    chosen.platform?.os == os && chosen.platform?.architecture == architecture,
                    "choosePlatform(\(os)/\(architecture)) picked \(String(describing: chosen.platform))")
            }
        }
        _ = ManifestKind.platforms(index)
        for descriptor in index.manifests { checkDigest(descriptor.digest) }
        for name in index.manifests.compactMap({ $0.annotations?[ImageStore.refAnnotation] }) { checkImageName(name) }
    }
    if let manifest = try? decoder.decode(OCIManifest.self, from: data) {
        for descriptor in [manifest.config] + manifest.layers { checkDigest(descriptor.digest) }
    }
    if let config = try? decoder.decode(OCIImageConfig.self, from: data) {
        for diffID in config.rootfs.diff_ids { checkDigest(diffID) }
    }
    if let entries = try? decoder.decode([DockerArchiveManifest].self, from: data) {
        for name in entries.flatMap({ $0.RepoTags ?? [] }) { checkImageName(name) }
    }

    checkImageName(firstLine)
    _ = RegistryClient.isLoopback(firstLine)
    checkRegistryAnswers(header: firstLine, body: body)
    return 0
}

/// The 401 challenge, token realm and error document of a registry, with the body as its answer.
private func checkRegistryAnswers(header: String, body: [UInt8]) {
    let transport = AnsweringTransport(body: body)
    let client = RegistryClient(
        reference: try! ImageReference(parsing: "127.0.0.1:5000/fuzz/app:1"), displayName: "fuzz",
        options: .init(), transport: transport)
    _ = client.registryErrors(RegistryResponse(status: 404, headers: [:], body: body))
    for challenge in AuthChallenge.parse(header) where challenge.scheme == "bearer" {
        do {
            _ = try client.fetchToken(challenge)
        } catch let error as MinipodError {
            _ = error
        } catch {
            fail("fetchToken threw \(type(of: error)), not MinipodError: \(error)")
        }
    }
}

private func checkImageName(_ name: String) {
    guard let reference = try? ImageReference(parsing: name) else { return }
    _ = reference.repository
    _ = reference.manifestReference
    do {
        let again = try ImageReference(parsing: reference.description)
        check(again == reference, "\"\(name)\" parsed as \(reference), whose description parses as \(again)")
    } catch {
        fail("\"\(name)\" parsed as \(reference.description), which does not parse: \(error)")
    }
}

private func checkDigest(_ digest: String) {
    if let path = try? store.blobPath(digest) {
        check(
            path.hasPrefix(store.blobsDir + "/") && isASCIIHex(String(path.dropFirst(store.blobsDir.count + 1))),
            "digest \"\(digest)\" maps to \(path), not to a sha256 file name in \(store.blobsDir)")
    }
    if ImageReference.isSHA256Digest(digest) {
        check(isASCIIHex(Digest.hex(digest)), "digest \"\(digest)\" accepted with hex \"\(Digest.hex(digest))\"")
    }
}

/// What sha256sum prints: 64 hex digits, the only names blobs/sha256 holds.
private func isASCIIHex(_ text: String) -> Bool {
    text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) || (0x41...0x46).contains($0) }
}

/// Answers every request with the fuzz body, as a registry's token service would.
private struct AnsweringTransport: RegistryTransport {
    let body: [UInt8]
    func get(_ request: RegistryRequest) throws -> RegistryResponse {
        check(request.url.hasPrefix("https://") || request.url.hasPrefix("http://"), "token request to \(request.url)")
        return RegistryResponse(status: 200, headers: [:], body: body)
    }
    func download(_ request: RegistryRequest, to file: String) throws -> RegistryResponse {
        fail("the token fetch downloaded a blob")
    }
}

private func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fail(message()) }
}

private func fail(_ message: String) -> Never {
    fputs("fuzz-image-metadata: \(message)\n", stderr)
    abort()
}
