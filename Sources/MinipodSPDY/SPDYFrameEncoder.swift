/// Frames to bytes. Owns the deflate context of the direction it writes, so one
/// encoder per connection, used in order.
public final class SPDYFrameEncoder {
    private let deflater = HeaderDeflater()

    public init() {}

    public func encode(_ frame: SPDYFrame) -> [UInt8] {
        switch frame {
        case .data(let streamID, let payload, let fin):
            return Self.dataHeader(streamID: streamID, length: payload.count, fin: fin) + payload
        case .synStream(let syn):
            var body: [UInt8] = []
            body.appendUInt32(syn.streamID)
            body.appendUInt32(syn.associatedTo)
            body += [syn.priority << 5, 0]
            let flags = (syn.fin ? SPDYWire.flagFin : 0) | (syn.unidirectional ? SPDYWire.flagUnidirectional : 0)
            return control(.synStream, flags: flags, body + deflater.compress(HeaderBlock.encode(syn.headers)))
        case .synReply(let streamID, let headers, let fin):
            return control(.synReply, flags: fin ? SPDYWire.flagFin : 0, words(streamID) + deflater.compress(HeaderBlock.encode(headers)))
        case .headers(let streamID, let headers, let fin):
            return control(.headers, flags: fin ? SPDYWire.flagFin : 0, words(streamID) + deflater.compress(HeaderBlock.encode(headers)))
        case .rstStream(let streamID, let status):
            return control(.rstStream, flags: 0, words(streamID, status))
        case .settings(let settings):
            let entries = settings.flatMap { words(UInt32($0.flags) << 24 | $0.id & 0x00ff_ffff, $0.value) }
            return control(.settings, flags: 0, words(UInt32(settings.count)) + entries)
        case .ping(let id):
            return control(.ping, flags: 0, words(id))
        case .goAway(let lastGood, let status):
            return control(.goAway, flags: 0, words(lastGood, status))
        case .windowUpdate(let streamID, let delta):
            return control(.windowUpdate, flags: 0, words(streamID, delta))
        }
    }

    /// A DATA frame's 8 bytes before its payload. DATA needs no compression context, so a
    /// writer may frame its bytes itself, in place, from any thread.
    public static let dataHeaderLength = SPDYWire.headerLength

    public static func dataHeader(streamID: UInt32, length: Int, fin: Bool) -> [UInt8] {
        precondition(length < 1 << 24, "a DATA frame carries less than 16 MiB")
        var out: [UInt8] = []
        out.appendUInt32(streamID & SPDYWire.streamIDMask)
        out.appendUInt32(UInt32(fin ? SPDYWire.flagFin : 0) << 24 | UInt32(length))
        return out
    }

    private func words(_ values: UInt32...) -> [UInt8] {
        var out: [UInt8] = []
        for value in values { out.appendUInt32(value) }
        return out
    }

    private func control(_ type: SPDYWire.ControlType, flags: UInt8, _ body: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.appendUInt32(0x8000_0000 | UInt32(SPDYWire.version) << 16 | UInt32(type.rawValue))
        out.appendUInt32(UInt32(flags) << 24 | UInt32(body.count))
        return out + body
    }
}
