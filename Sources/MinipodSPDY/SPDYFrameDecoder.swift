/// Turns a connection's incoming bytes into frames, whatever the pieces they arrive in:
/// `feed` appends, `nextFrame` returns a frame once all of it is there. Owns the
/// inflate context of the direction it reads. Any error leaves the decoder unusable:
/// the connection is over.
public struct SPDYFrameDecoder {
    /// SPDY's 24-bit length allows just under 16 MiB; a server may set a lower bound.
    public static let defaultMaxFrameLength = 16 << 20

    private var buffer: [UInt8] = []
    private var start = 0
    private let maxFrameLength: Int
    private let inflater = HeaderInflater()

    public init(maxFrameLength: Int = defaultMaxFrameLength) { self.maxFrameLength = maxFrameLength }

    public var bufferedBytes: Int { buffer.count - start }

    public mutating func feed<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        // Drop what was consumed once it is most of the buffer: amortized O(1) per byte.
        if start > 0 && start * 2 >= buffer.count {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    public mutating func nextFrame() throws -> SPDYFrame? {
        while bufferedBytes >= SPDYWire.headerLength {
            let word = readUInt32(at: start)
            let flags = buffer[start + 4]
            let length = Int(readUInt32(at: start + 4) & 0x00ff_ffff)
            guard length <= maxFrameLength else { throw SPDYError.frameTooLarge(length: length, limit: maxFrameLength) }
            guard bufferedBytes >= SPDYWire.headerLength + length else { return nil }
            let payload = Array(buffer[(start + SPDYWire.headerLength)..<(start + SPDYWire.headerLength + length)])
            start += SPDYWire.headerLength + length
            if word & 0x8000_0000 == 0 {
                return .data(streamID: word & SPDYWire.streamIDMask, payload: payload, fin: flags & SPDYWire.flagFin != 0)
            }
            let version = UInt16(word >> 16 & 0x7fff)
            guard version == SPDYWire.version else { throw SPDYError.unsupportedVersion(version) }
            // Unknown control frames are skipped, as the spec asks.
            guard let type = SPDYWire.ControlType(rawValue: UInt16(word & 0xffff)) else { continue }
            return try control(type, flags: flags, payload: payload)
        }
        return nil
    }

    private func control(_ type: SPDYWire.ControlType, flags: UInt8, payload: [UInt8]) throws -> SPDYFrame {
        var reader = ByteReader(payload)
        let fin = flags & SPDYWire.flagFin != 0
        switch type {
        case .synStream:
            let streamID = try reader.uint32() & SPDYWire.streamIDMask
            let associated = try reader.uint32() & SPDYWire.streamIDMask
            let priority = try reader.uint8() >> 5
            _ = try reader.uint8()  // the credential slot, unused
            let headers = try HeaderBlock.decode(inflater.decompress(reader.rest()))
            try requireStream(streamID)
            return .synStream(
                .init(
                    streamID: streamID, associatedTo: associated, priority: priority, headers: headers, fin: fin,
                    unidirectional: flags & SPDYWire.flagUnidirectional != 0))
        case .synReply, .headers:
            let streamID = try reader.uint32() & SPDYWire.streamIDMask
            let headers = try HeaderBlock.decode(inflater.decompress(reader.rest()))
            try requireStream(streamID)
            return type == .synReply
                ? .synReply(streamID: streamID, headers: headers, fin: fin) : .headers(streamID: streamID, headers: headers, fin: fin)
        case .rstStream:
            let frame = SPDYFrame.rstStream(streamID: try reader.uint32() & SPDYWire.streamIDMask, status: try reader.uint32())
            try requireEnd(reader, "RST_STREAM")
            return frame
        case .settings:
            let count = try reader.uint32()
            guard Int(count) * 8 == reader.remaining else {
                throw SPDYError.malformed("SETTINGS announces \(count) entries in \(reader.remaining) bytes")
            }
            var settings: [SPDYFrame.Setting] = []
            for _ in 0..<count {
                let word = try reader.uint32()
                settings.append(.init(flags: UInt8(word >> 24), id: word & 0x00ff_ffff, value: try reader.uint32()))
            }
            return .settings(settings)
        case .ping:
            let frame = SPDYFrame.ping(id: try reader.uint32())
            try requireEnd(reader, "PING")
            return frame
        case .goAway:
            let frame = SPDYFrame.goAway(lastGoodStreamID: try reader.uint32() & SPDYWire.streamIDMask, status: try reader.uint32())
            try requireEnd(reader, "GOAWAY")
            return frame
        case .windowUpdate:
            let frame = SPDYFrame.windowUpdate(
                streamID: try reader.uint32() & SPDYWire.streamIDMask, delta: try reader.uint32() & SPDYWire.streamIDMask)
            try requireEnd(reader, "WINDOW_UPDATE")
            return frame
        }
    }

    private func requireStream(_ id: UInt32) throws {
        guard id != 0 else { throw SPDYError.malformed("stream id 0 is reserved") }
    }

    private func requireEnd(_ reader: ByteReader, _ name: String) throws {
        guard reader.isAtEnd else { throw SPDYError.malformed("\(name) has \(reader.remaining) extra bytes") }
    }

    private func readUInt32(at index: Int) -> UInt32 {
        buffer[index..<index + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }
}
