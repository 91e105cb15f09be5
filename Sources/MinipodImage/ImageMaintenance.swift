import Foundation
import MinipodSystem

extension ImageStore {
    /// Untags an image. The caller decides whether pods still use it.
    public func remove(_ name: String) throws -> String {
        let ref = try ImageReference(parsing: name).description
        var index = try self.index()
        guard index.manifests.contains(where: { $0.annotations?[Self.refAnnotation] == ref }) else {
            throw MinipodError(.notFound, "image \"\(name)\" is not present")
        }
        index.manifests.removeAll { $0.annotations?[Self.refAnnotation] == ref }
        try saveIndex(index)
        return ref
    }

    /// Deletes blobs and unpacked layers no tagged image refers to. Returns what was freed, in bytes.
    @discardableResult
    public func prune() throws -> Int64 {
        var keepBlobs = Set<String>()
        var keepLayers = Set<String>()
        for descriptor in try index().manifests {
            keepBlobs.insert(Digest.hex(descriptor.digest))
            guard let manifest = try? JSONDecoder().decode(OCIManifest.self, from: try blob(descriptor.digest)) else { continue }
            keepBlobs.insert(Digest.hex(manifest.config.digest))
            manifest.layers.forEach { keepBlobs.insert(Digest.hex($0.digest)) }
            if let config = try? JSONDecoder().decode(OCIImageConfig.self, from: try blob(manifest.config.digest)) {
                Digest.chainIDs(config.rootfs.diff_ids).forEach { keepLayers.insert(Digest.hex($0)) }
            }
        }
        var freed: Int64 = 0
        for name in try FileIO.listDirectory(blobsDir) where !keepBlobs.contains(name) {
            var st = stat()
            if stat(blobsDir + "/" + name, &st) == 0 { freed += Int64(st.st_size) }
            unlink(blobsDir + "/" + name)
        }
        for name in try FileIO.listDirectory(layersDir) where !keepLayers.contains(name) {
            try FileIO.removeTree(layersDir + "/" + name)
        }
        return freed
    }

    /// `image import`: a plain root filesystem tarball (optionally gzip'd) becomes a one-layer image.
    public func importRootfs(_ tarball: String, as name: String) throws -> String {
        // The helpers that read it (cp) run in /: a relative path is the caller's.
        let tarball = tarball.hasPrefix("/") ? tarball : FileManager.default.currentDirectoryPath + "/" + tarball
        guard FileIO.exists(tarball) else { throw MinipodError(.notFound, "\(tarball): no such file") }
        try FileIO.makeDirectories(blobsDir)
        try FileIO.makeDirectories(layersDir)
        let ref = try ImageReference(parsing: name)
        let layerDigest = try Digest.sha256(file: tarball)
        let diffID = try Digest.sha256(decompressing: tarball)
        let layerPath = try blobPath(layerDigest)
        if !FileIO.exists(layerPath) {
            let copy = try Spawn.run("/bin/cp", ["--", tarball, layerPath])
            guard copy.status == .exited(0) else { throw MinipodError(.imageError, "cannot copy \(tarball) into the store") }
        }
        let compressed = diffID != layerDigest
        let config = """
            {"architecture":"\(Self.hostArchitecture)","os":"linux","created":"\(isoNow())",\
            "config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},\
            "rootfs":{"type":"layers","diff_ids":["\(diffID)"]},\
            "history":[{"created_by":"minipod image import \(URL(fileURLWithPath: tarball).lastPathComponent)"}]}
            """
        let configDigest = try writeBlob(Array(config.utf8))
        let manifest = """
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",\
            "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"\(configDigest)","size":\(config.utf8.count)},\
            "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar\(compressed ? "+gzip" : "")","digest":"\(layerDigest)","size":\(fileSize(layerPath))}]}
            """
        let manifestDigest = try writeBlob(Array(manifest.utf8))
        let decoded = try JSONDecoder().decode(OCIManifest.self, from: Data(manifest.utf8))
        try unpackLayers(manifest: decoded, config: try JSONDecoder().decode(OCIImageConfig.self, from: Data(config.utf8)), archive: tarball)
        try setTag(
            ref.description,
            to: OCIDescriptor(
                mediaType: "application/vnd.oci.image.manifest.v1+json", digest: manifestDigest,
                size: Int64(manifest.utf8.count), annotations: nil, platform: nil))
        return ref.description
    }

    /// Scratch directories (`load-PID-N`, `pull-PID-N`, `layer-PID-N` under <root>/tmp) of loads
    /// and pulls whose process died before its cleanup ran (Ctrl-C, SIGKILL).
    func removeStaleScratch() {
        let tmp = root + "/tmp"
        for name in (try? FileIO.listDirectory(tmp)) ?? [] {
            let parts = name.split(separator: "-")
            guard parts.count == 3, ["load", "pull", "layer"].contains(parts[0]), let pid = Int32(parts[1]), pid != getpid(),
                kill(pid, 0) != 0, errno == ESRCH
            else { continue }
            try? FileIO.removeTree(tmp + "/" + name)
        }
    }

    func writeBlob(_ bytes: [UInt8]) throws -> String {
        let digest = Digest.sha256(bytes)
        let path = try blobPath(digest)
        if !FileIO.exists(path) { try FileIO.writeAtomically(path, String(decoding: bytes, as: UTF8.self)) }
        return digest
    }

    func saveIndex(_ index: OCIIndex) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try FileIO.writeAtomically(indexPath, String(decoding: try encoder.encode(index), as: UTF8.self))
    }

    func fileSize(_ path: String) -> Int64 {
        var st = stat()
        return stat(path, &st) == 0 ? Int64(st.st_size) : 0
    }

    private func isoNow() -> String {
        let f = ISO8601DateFormatter()
        return f.string(from: Date())
    }
}
