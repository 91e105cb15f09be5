import Foundation
import MinipodSystem

/// One pass over a layer blob: its bytes are read once, hashed (the blob's digest),
/// inflated (gzip by zlib here, zstd by zstd(1)), hashed again (the diff_id), counted
/// and written to `tar -x`. A layer whose content is larger than the limit is a tar
/// bomb (a few KiB of gzip can stand for terabytes of zeros) and is stopped there,
/// before it fills the disk. The digests are known only at the end: the caller unpacks
/// into a scratch directory and keeps it only when they match.
enum LayerStream {
    /// MINIPOD_MAX_LAYER_SIZE (bytes), default 16 GiB uncompressed per layer.
    static var maxUncompressedSize: Int {
        ProcessInfo.processInfo.environment["MINIPOD_MAX_LAYER_SIZE"].flatMap(Int.init) ?? 16 << 30
    }

    static let chunk = 1 << 20

    private enum Compression { case gzip, zstd(String), none }

    private struct TooBig: Error {}
    private struct TarStopped: Error {}

    /// Streams `blob` into `tar -x -C directory` (or, with no directory, only hashes it) and
    /// returns the sha256 of its uncompressed content. `checkBlob`, when given, is called with
    /// the sha256 of the blob as stored, before any failure of decompression or tar is
    /// reported: a blob that is not what its digest names says so, whatever else is wrong.
    static func extract(
        blob: String, tarArguments: [String] = [], into directory: String?, scratch: String,
        checkBlob: ((String) throws -> Void)? = nil, limit: Int = maxUncompressedSize
    ) throws -> String {
        let compression = try self.compression(of: blob)
        if case .zstd = compression, let checkBlob {
            // zstd(1) reads the blob itself; its digest is one more (fast) read here.
            try checkBlob(try Digest.sha256(file: blob))
        }
        let fd = open(blob, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw MinipodError.sys("open layer \(blob)") }
        defer { close(fd) }
        var zstd: pid_t?
        var source = fd
        if case .zstd(let program) = compression {
            let pipe = try FDPipe.make()
            var request = SpawnRequest(path: program, arguments: [program, "-dcq", blob], environment: Environment.current())
            request.stdout = pipe.write
            defer { close(pipe.write) }
            do { zstd = try Spawn.start(request) } catch {
                close(pipe.read)
                throw error
            }
            source = pipe.read
        }
        defer {
            if let zstd {
                close(source)
                kill(zstd, SIGKILL)
                _ = try? Spawn.wait(zstd)
            }
        }
        let tar = try directory.map { try TarChild(arguments: tarArguments, into: $0, scratch: scratch) }
        defer { tar?.kill() }

        var blobHash = SHA256()
        var contentHash = SHA256()
        var total = 0
        func deliver(_ bytes: UnsafeRawBufferPointer) throws {
            total += bytes.count
            if total > limit { throw TooBig() }
            contentHash.update(bytes)
            if let tar, !tar.write(bytes) { throw TarStopped() }
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 16)
        defer { buffer.deallocate() }
        var failure: Error?
        do {
            let inflater: GzipInflater? = if case .gzip = compression { GzipInflater() } else { nil }
            while true {
                let n = read(source, buffer.baseAddress, chunk)
                if n < 0 && errno == EINTR { continue }
                if n < 0 { throw MinipodError.sys("read layer \(blob)") }
                if n == 0 { break }
                let piece = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
                if case .none = compression, checkBlob != nil { blobHash.update(piece) }
                if let inflater {
                    if checkBlob != nil { blobHash.update(piece) }
                    try inflater.inflate(piece, deliver)
                } else {
                    try deliver(piece)
                }
            }
            try inflater?.finish()
        } catch is TooBig {
            throw MinipodError(.imageError, "layer \(blob) unpacks to more than \(limit) bytes (MINIPOD_MAX_LAYER_SIZE): refused as a tar bomb")
        } catch {
            failure = error
        }

        if let checkBlob, zstd == nil {
            if failure != nil { try drain(fd, into: &blobHash, buffer: buffer, blob: blob) }
            try checkBlob(blobHash.finish())
        }
        if let child = zstd {
            // Closed first: a zstd still writing (the stream stopped early) gets EPIPE, not a wait forever.
            close(source)
            zstd = nil
            let status = try? Spawn.wait(child)
            if failure == nil && status != .exited(0) { failure = MinipodError(.imageError, "zstd failed") }
        }
        if let failure, !(failure is TarStopped) {
            let reason = (failure as? MinipodError)?.message ?? "\(failure)"
            throw MinipodError(.imageError, "cannot decompress layer \(blob): the archive is damaged or truncated (\(reason))")
        }
        if let complaint = tar?.finish() {
            throw MinipodError(.imageError, "cannot unpack layer \(blob): \(complaint)")
        }
        return contentHash.finish()
    }

    /// The rest of a blob whose stream failed, hashed so that a wrong digest is what is reported.
    private static func drain(_ fd: Int32, into hash: inout SHA256, buffer: UnsafeMutableRawBufferPointer, blob: String) throws {
        while true {
            let n = read(fd, buffer.baseAddress, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw MinipodError.sys("read layer \(blob)") }
            if n == 0 { return }
            hash.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
    }

    /// gzip or zstd by their magic numbers; a plain tar otherwise.
    private static func compression(of blob: String) throws -> Compression {
        let fd = open(blob, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw MinipodError.sys("open layer \(blob)") }
        defer { close(fd) }
        var magic = [UInt8](repeating: 0, count: 4)
        let n = read(fd, &magic, 4)
        if n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b { return .gzip }
        if n == 4 && magic == [0x28, 0xb5, 0x2f, 0xfd] {
            guard let zstd = ["/usr/bin/zstd", "/bin/zstd"].first(where: FileIO.exists) else {
                throw MinipodError(.imageError, "layer \(blob) is zstd-compressed: install zstd (`apt-get install zstd`)")
            }
            return .zstd(zstd)
        }
        return .none
    }
}
