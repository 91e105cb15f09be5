/// One SPDY/3.1 frame as it travels (draft-mbelshe-httpbis-spdy-00, version 3).
/// Header blocks are already decompressed: the codec owns the zlib contexts.
public enum SPDYFrame: Equatable, Sendable {
    case synStream(SynStream)
    case synReply(streamID: UInt32, headers: SPDYHeaders, fin: Bool)
    case rstStream(streamID: UInt32, status: UInt32)
    /// Parsed so the stream stays in step; the settings themselves change nothing here.
    case settings([Setting])
    case ping(id: UInt32)
    case goAway(lastGoodStreamID: UInt32, status: UInt32)
    case headers(streamID: UInt32, headers: SPDYHeaders, fin: Bool)
    case windowUpdate(streamID: UInt32, delta: UInt32)
    case data(streamID: UInt32, payload: [UInt8], fin: Bool)

    public struct SynStream: Equatable, Sendable {
        public var streamID: UInt32
        public var associatedTo: UInt32
        public var priority: UInt8
        public var headers: SPDYHeaders
        public var fin: Bool
        public var unidirectional: Bool

        public init(
            streamID: UInt32, associatedTo: UInt32 = 0, priority: UInt8 = 0, headers: SPDYHeaders, fin: Bool = false,
            unidirectional: Bool = false
        ) {
            self.streamID = streamID
            self.associatedTo = associatedTo
            self.priority = priority
            self.headers = headers
            self.fin = fin
            self.unidirectional = unidirectional
        }
    }

    public struct Setting: Equatable, Sendable {
        public var flags: UInt8
        public var id: UInt32
        public var value: UInt32
        public init(flags: UInt8 = 0, id: UInt32, value: UInt32) {
            self.flags = flags
            self.id = id
            self.value = value
        }
    }
}

/// Wire constants of SPDY/3.
enum SPDYWire {
    static let version: UInt16 = 3
    static let headerLength = 8
    static let flagFin: UInt8 = 0x01
    static let flagUnidirectional: UInt8 = 0x02
    static let streamIDMask: UInt32 = 0x7fff_ffff

    enum ControlType: UInt16 {
        case synStream = 1, synReply, rstStream, settings
        case ping = 6, goAway, headers, windowUpdate
    }
}

/// RST_STREAM status codes kubectl and kubelet use.
public enum SPDYStatus {
    public static let protocolError: UInt32 = 1
    public static let invalidStream: UInt32 = 2
    public static let refusedStream: UInt32 = 3
    public static let cancel: UInt32 = 5
    public static let internalError: UInt32 = 6
}
