/// A header block's name/value pairs, in order. SPDY/3 names are lowercase on the wire;
/// lookups ignore case because Go's peers canonicalize them (`streamType`).
public struct SPDYHeaders: Equatable, Sendable, ExpressibleByDictionaryLiteral {
    public struct Pair: Equatable, Sendable {
        public var name: String
        public var value: String
    }

    public var pairs: [Pair]

    public init(_ pairs: [(String, String)] = []) {
        self.pairs = pairs.map { Pair(name: $0.0.lowercased(), value: $0.1) }
    }

    public init(dictionaryLiteral elements: (String, String)...) { self.init(elements) }

    /// The first value of `name`; a value holding several (NUL-separated) gives the first.
    public subscript(name: String) -> String? {
        let wanted = name.lowercased()
        return pairs.first { $0.name == wanted }.map { String($0.value.split(separator: "\0", omittingEmptySubsequences: false)[0]) }
    }
}

/// The uncompressed header block: a count, then length-prefixed names and values (32-bit big endian).
enum HeaderBlock {
    /// Bounds what one block may announce, so a hostile count cannot make us loop or allocate.
    static let maxPairs = 1024

    static func encode(_ headers: SPDYHeaders) -> [UInt8] {
        var out: [UInt8] = []
        out.appendUInt32(UInt32(headers.pairs.count))
        for pair in headers.pairs {
            for text in [pair.name, pair.value] {
                let bytes = Array(text.utf8)
                out.appendUInt32(UInt32(bytes.count))
                out += bytes
            }
        }
        return out
    }

    static func decode(_ block: [UInt8]) throws -> SPDYHeaders {
        var reader = ByteReader(block)
        let count = try reader.uint32()
        guard count <= maxPairs else { throw SPDYError.malformed("a header block announces \(count) pairs (at most \(maxPairs))") }
        var headers = SPDYHeaders()
        for _ in 0..<count {
            let name = try reader.string()
            let value = try reader.string()
            guard !name.isEmpty else { throw SPDYError.malformed("a header has an empty name") }
            headers.pairs.append(.init(name: name.lowercased(), value: value))
        }
        guard reader.isAtEnd else { throw SPDYError.malformed("\(reader.remaining) bytes follow the header block's last pair") }
        return headers
    }
}
