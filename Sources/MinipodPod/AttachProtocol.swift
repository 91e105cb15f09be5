import Foundation
import MinipodSystem

/// What `minipod attach` and a pod's supervisor say to each other over
/// /run/minipod/pods/<pod>/supervisor.sock: one JSON line each way, then frames
/// (kind, 4-byte big-endian length, payload) so stdout, stderr, input and window
/// sizes share one connection.
public enum AttachProtocol {
    public struct Request: Codable {
        public var container: String
        public var stdin: Bool
        public init(container: String, stdin: Bool) {
            self.container = container
            self.stdin = stdin
        }
    }

    public struct Response: Codable {
        /// nil: attached.
        public var error: String?
        /// The container has a terminal: output is one stream, input goes to its pty.
        public var tty: Bool
        /// Input reaches the container (it was started with stdin: true).
        public var stdin: Bool

        public init(error: String?, tty: Bool, stdin: Bool) {
            self.error = error
            self.tty = tty
            self.stdin = stdin
        }
    }

    public enum Kind: UInt8 {
        case stdout = 1, stderr = 2, stdin = 3, stdinEOF = 4, resize = 5
    }

    public static func frame(_ kind: Kind, _ payload: UnsafeRawBufferPointer) -> [UInt8] {
        let n = UInt32(payload.count)
        return [kind.rawValue, UInt8(n >> 24), UInt8((n >> 16) & 0xff), UInt8((n >> 8) & 0xff), UInt8(n & 0xff)] + Array(payload)
    }

    public static func resizeFrame(rows: UInt16, cols: UInt16) -> [UInt8] {
        [rows >> 8, rows & 0xff, cols >> 8, cols & 0xff].map { UInt8($0) }.withUnsafeBytes { frame(.resize, $0) }
    }

    /// Reads one frame; nil at end of stream or on an unknown kind.
    public static func readFrame(_ fd: Int32) -> (Kind, [UInt8])? {
        var header = [UInt8](repeating: 0, count: 5)
        guard readExactly(fd, &header), let kind = Kind(rawValue: header[0]) else { return nil }
        let length = Int(header[1]) << 24 | Int(header[2]) << 16 | Int(header[3]) << 8 | Int(header[4])
        guard length <= 1 << 20 else { return nil }
        var payload = [UInt8](repeating: 0, count: length)
        guard readExactly(fd, &payload) else { return nil }
        return (kind, payload)
    }

    /// One newline-terminated JSON line, read a byte at a time so nothing after it is consumed.
    public static func readLine<T: Decodable>(_ type: T.Type, from fd: Int32) -> T? {
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while line.count < 64 * 1024 {
            guard read(fd, &byte, 1) == 1 else { return nil }
            if byte == UInt8(ascii: "\n") { return try? JSONDecoder().decode(T.self, from: Data(line)) }
            line.append(byte)
        }
        return nil
    }

    public static func writeLine<T: Encodable>(_ value: T, to fd: Int32) -> Bool {
        guard let data = try? JSONEncoder().encode(value) else { return false }
        return (Array(data) + [UInt8(ascii: "\n")]).withUnsafeBytes { FileIO.writeAll(fd, $0) }
    }

    private static func readExactly(_ fd: Int32, _ buffer: inout [UInt8]) -> Bool {
        var off = 0
        while off < buffer.count {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + off, $0.count - off) }
            if n > 0 {
                off += n
                continue
            }
            if n < 0 && errno == EINTR { continue }
            return false
        }
        return true
    }
}
