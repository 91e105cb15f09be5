import CZlib

/// One direction's zlib context. SPDY/3 compresses every header block of a connection
/// direction as one continuous deflate stream (so the contexts live as long as the
/// connection), primed with SPDYDictionary and sync-flushed after each block.
final class HeaderDeflater {
    private let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)

    init() {
        stream.initialize(to: z_stream())
        // Failing here means zlib itself is broken (only out of memory or a version mismatch).
        precondition(deflateInit_(stream, Z_DEFAULT_COMPRESSION, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK)
        precondition(SPDYDictionary.bytes.withUnsafeBufferPointer { deflateSetDictionary(stream, $0.baseAddress, UInt32($0.count)) } == Z_OK)
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
    }

    func compress(_ input: [UInt8]) -> [UInt8] {
        var input = input
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        input.withUnsafeMutableBufferPointer { source in
            stream.pointee.next_in = source.baseAddress
            stream.pointee.avail_in = UInt32(source.count)
            repeat {
                let produced = chunk.withUnsafeMutableBufferPointer { target -> Int in
                    stream.pointee.next_out = target.baseAddress
                    stream.pointee.avail_out = UInt32(target.count)
                    _ = deflate(stream, Z_SYNC_FLUSH)
                    return target.count - Int(stream.pointee.avail_out)
                }
                out += chunk[0..<produced]
            } while stream.pointee.avail_out == 0
        }
        stream.pointee.next_in = nil
        return out
    }
}

final class HeaderInflater {
    private let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    /// A header block is a few hundred bytes; a block inflating past this is a zlib bomb.
    static let maxBlock = 1 << 20

    init() {
        stream.initialize(to: z_stream())
        precondition(inflateInit_(stream, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK)
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    func decompress(_ input: [UInt8]) throws -> [UInt8] {
        var input = input
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        try input.withUnsafeMutableBufferPointer { source in
            stream.pointee.next_in = source.baseAddress
            stream.pointee.avail_in = UInt32(source.count)
            defer { stream.pointee.next_in = nil }
            while true {
                var result: Int32 = Z_OK
                let produced = chunk.withUnsafeMutableBufferPointer { target -> Int in
                    stream.pointee.next_out = target.baseAddress
                    stream.pointee.avail_out = UInt32(target.count)
                    result = inflate(stream, Z_SYNC_FLUSH)
                    if result == Z_NEED_DICT {
                        result = SPDYDictionary.bytes.withUnsafeBufferPointer { inflateSetDictionary(stream, $0.baseAddress, UInt32($0.count)) }
                    }
                    return target.count - Int(stream.pointee.avail_out)
                }
                out += chunk[0..<produced]
                guard out.count <= Self.maxBlock else { throw SPDYError.compression("a header block inflates past \(Self.maxBlock) bytes") }
                switch result {
                case Z_OK where stream.pointee.avail_in == 0 && stream.pointee.avail_out > 0: return
                case Z_OK: continue
                case Z_BUF_ERROR where stream.pointee.avail_in == 0: return
                case Z_STREAM_END: throw SPDYError.compression("the peer ended its compression stream")
                default:
                    let message = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(result)"
                    throw SPDYError.compression(message)
                }
            }
        }
        return out
    }
}
