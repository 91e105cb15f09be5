import Foundation
import MinipodKube

/// kubelet's log rotation settings: a container's log file is rotated once it
/// would pass containerLogMaxSize (10 MiB), and containerLogMaxFiles (5) files
/// are kept, the current one included: <restart>.log, then .log.1 (newest
/// rotated) to .log.4 (oldest). Settable as kubelet's flags are, through
/// MINIPOD_LOG_MAX_SIZE (bytes, or a quantity such as 10Mi) and
/// MINIPOD_LOG_MAX_FILES (at least 2, as kubelet requires); a value that
/// does not parse leaves the default.
public struct LogRotation: Equatable, Sendable {
    public static let defaultMaxSize = 10 * 1024 * 1024
    public static let defaultMaxFiles = 5

    public var maxSize: Int
    public var maxFiles: Int

    public init(maxSize: Int = defaultMaxSize, maxFiles: Int = defaultMaxFiles) {
        self.maxSize = max(1, maxSize)
        self.maxFiles = max(2, maxFiles)
    }

    public init(environment: [String: String]) {
        let size = environment["MINIPOD_LOG_MAX_SIZE"].flatMap { Int($0) ?? Quantity($0).map { Int($0.bytes) } }
        let files = environment["MINIPOD_LOG_MAX_FILES"].flatMap { Int($0) }
        self.init(maxSize: size ?? Self.defaultMaxSize, maxFiles: files ?? Self.defaultMaxFiles)
    }

    /// The n-th rotated file of `path` (1: the newest).
    public static func rotatedPath(_ path: String, _ n: Int) -> String { "\(path).\(n)" }

    /// The renames that rotate `path`, in this order: oldest first, so each
    /// file moves into a name already vacated and the oldest one kept is
    /// replaced (dropped); the current file last. A follower that finds its
    /// file at .k knows, as long as it is still there, that .k-1 (or the
    /// current file, for .1) holds what was written next.
    public func renames(of path: String) -> [(from: String, to: String)] {
        stride(from: maxFiles - 2, through: 1, by: -1).map { (Self.rotatedPath(path, $0), Self.rotatedPath(path, $0 + 1)) }
            + [(path, Self.rotatedPath(path, 1))]
    }

    /// Where the whole records of `batch` that fit in `room` bytes end, or nil
    /// when not even its first record fits.
    static func wholeRecords(of batch: ArraySlice<UInt8>, within room: Int) -> Int? {
        if batch.count <= room { return batch.endIndex }
        guard room > 0 else { return nil }
        return batch.prefix(room).lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 }
    }
}
