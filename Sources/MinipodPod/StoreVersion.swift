import Foundation
import MinipodSystem

/// The store's resourceVersion: one counter for every object of the store, as
/// etcd's revision is for an API server, so a watcher can ask for "everything
/// after N" across all pods. Kept in a file under the state root (it survives
/// the server and the CLI), bumped under an flock; a pod's lock is always taken
/// before this one, never the other way.
public struct StoreVersion: Sendable {
    let path: String

    public init(paths: PodPaths) { path = paths.state + "/resource-version" }

    /// The next version: greater than every version handed out before.
    public func next() throws -> Int {
        try withLockedFile { fd in
            let value = Self.read(fd) + 1
            let text = Array(String(value).utf8)
            guard ftruncate(fd, 0) == 0, pwrite(fd, text, text.count, 0) == text.count else {
                throw MinipodError.sys("write \(path)")
            }
            return value
        }
    }

    /// The latest version handed out (0 before any).
    public func current() -> Int {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        return Self.read(fd)
    }

    private static func read(_ fd: Int32) -> Int {
        var buf = [UInt8](repeating: 0, count: 32)
        let n = pread(fd, &buf, buf.count, 0)
        return n > 0 ? Int(String(decoding: buf[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 : 0
    }

    private func withLockedFile<T>(_ body: (Int32) throws -> T) throws -> T {
        try FileIO.makeDirectories((path as NSString).deletingLastPathComponent)
        return try FileLock.withExclusiveDescriptor(path, body)
    }
}
