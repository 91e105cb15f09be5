import Glibc
import MinipodSystem

/// Reads a container's log file as it grows and goes on across a rotation
/// (LogRotation), as kubelet's `logs -f` does, without losing or repeating a
/// line: the writer renames a file only after its last write to it, so once
/// the current name holds another file, what is left of the open one is read
/// to its end and reading goes on in its successor, from its start.
final class LogFollower {
    let path: String
    private(set) var fd: Int32

    init?(path: String) {
        self.path = path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return nil }
    }

    deinit { close(fd) }

    /// Up to buf.count bytes; 0 when nothing new was written yet.
    func read(into buf: UnsafeMutableRawBufferPointer) -> Int {
        let n = Glibc.read(fd, buf.baseAddress, buf.count)
        if n != 0 { return max(n, 0) }
        guard let next = successor() else { return 0 }
        // Rotated: the rename came after the last write to this file, so reading
        // it to the end now leaves nothing behind.
        let rest = Glibc.read(fd, buf.baseAddress, buf.count)
        if rest > 0 {
            close(next)
            return rest
        }
        close(fd)
        fd = next
        return max(Glibc.read(fd, buf.baseAddress, buf.count), 0)
    }

    /// The file written after the open one, opened, or nil while the open one is still the current file.
    private func successor() -> Int32? {
        var open_ = stat()
        guard fstat(fd, &open_) == 0, let current = Self.identity(path), current != Self.identity(open_) else { return nil }
        // Where the open file stands now; its successor is one newer. Read again after
        // opening: a rotation in between moved both, and the search starts over.
        for _ in 0..<8 {
            guard let k = (1...Self.maxRotatedFiles).first(where: { Self.identity(LogRotation.rotatedPath(path, $0)) == Self.identity(open_) }) else {
                // Rotated out of the kept files already (a reader far behind): go on with the current one.
                let next = open(path, O_RDONLY | O_CLOEXEC)
                return next >= 0 ? next : nil
            }
            let next = open(k == 1 ? path : LogRotation.rotatedPath(path, k - 1), O_RDONLY | O_CLOEXEC)
            if next >= 0, Self.identity(LogRotation.rotatedPath(path, k)) == Self.identity(open_) { return next }
            if next >= 0 { close(next) }
        }
        return nil
    }

    /// More than any MINIPOD_LOG_MAX_FILES in use: the reader need not share the supervisor's environment.
    static let maxRotatedFiles = 64

    private static func identity(_ st: stat) -> [UInt64] { [UInt64(st.st_dev), UInt64(st.st_ino)] }

    private static func identity(_ path: String) -> [UInt64]? {
        var st = stat()
        return stat(path, &st) == 0 ? identity(st) : nil
    }
}
