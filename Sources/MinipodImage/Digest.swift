import Foundation
import MinipodSystem

/// sha256 digests in this process (SHA256, OpenSSL's assembly): no sha256sum(1) per blob,
/// and a layer is hashed while it streams to tar (LayerStream), not in passes of its own.
public enum Digest {
    public static func sha256(file path: String) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw MinipodError.sys("open \(path)") }
        defer { close(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: LayerStream.chunk, alignment: 16)
        defer { buffer.deallocate() }
        var hash = SHA256()
        while true {
            let n = read(fd, buffer.baseAddress, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw MinipodError.sys("read \(path)") }
            if n == 0 { return hash.finish() }
            hash.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
    }

    public static func sha256(_ bytes: [UInt8]) -> String {
        var hash = SHA256()
        hash.update(bytes)
        return hash.finish()
    }

    /// sha256 of a compressed layer's uncompressed stream (its diff_id), within the size limit.
    public static func sha256(decompressing path: String) throws -> String {
        try LayerStream.extract(blob: path, into: nil, scratch: "")
    }

    public static func hex(_ digest: String) -> String {
        String(digest.split(separator: ":").last ?? "")
    }

    /// OCI chain IDs: ChainID(L0) = DiffID(L0); ChainID(Ln) = sha256(ChainID(Ln-1) + " " + DiffID(Ln)).
    public static func chainIDs(_ diffIDs: [String]) -> [String] {
        var result: [String] = []
        for diff in diffIDs {
            if let previous = result.last {
                result.append(sha256(Array("\(previous) \(diff)".utf8)))
            } else {
                result.append(diff)
            }
        }
        return result
    }
}
