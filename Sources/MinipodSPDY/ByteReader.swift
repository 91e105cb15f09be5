/// Big-endian reads over a frame's payload; running past its end is a malformed frame.
struct ByteReader {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { offset == bytes.count }
    var remaining: Int { bytes.count - offset }

    mutating func uint32() throws -> UInt32 {
        guard remaining >= 4 else { throw SPDYError.malformed("a frame ends inside a 32-bit field") }
        defer { offset += 4 }
        return bytes[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func uint8() throws -> UInt8 {
        guard remaining >= 1 else { throw SPDYError.malformed("a frame ends early") }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func rest() -> [UInt8] {
        defer { offset = bytes.count }
        return Array(bytes[offset...])
    }

    mutating func string() throws -> String {
        let length = Int(try uint32())
        guard length <= remaining else { throw SPDYError.malformed("a header string of \(length) bytes runs past its block") }
        defer { offset += length }
        return String(decoding: bytes[offset..<offset + length], as: UTF8.self)
    }
}

extension Array where Element == UInt8 {
    mutating func appendUInt32(_ value: UInt32) {
        append(contentsOf: [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)])
    }
}

/// What the codec reports; the session turns it into a GOAWAY or a closed connection.
public enum SPDYError: Error, Equatable, CustomStringConvertible {
    case malformed(String)
    case frameTooLarge(length: Int, limit: Int)
    case unsupportedVersion(UInt16)
    case compression(String)

    public var description: String {
        switch self {
        case .malformed(let why): return "malformed SPDY frame: \(why)"
        case .frameTooLarge(let length, let limit): return "SPDY frame of \(length) bytes is larger than the limit of \(limit)"
        case .unsupportedVersion(let version): return "SPDY version \(version) is not supported (only 3)"
        case .compression(let why): return "SPDY header compression failed: \(why)"
        }
    }
}
