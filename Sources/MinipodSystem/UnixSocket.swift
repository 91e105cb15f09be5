import CMinipod
import Glibc

/// AF_UNIX stream sockets bound to or connected at a path. sun_path holds 108
/// bytes, less than a pod's state directory may need (two 63-character names
/// under a test's temporary root), so a long path goes through
/// /proc/self/fd/<directory fd>/<name>, which the kernel resolves the same way.
public enum UnixSocket {
    public static func listen(at path: String, backlog: Int32 = 16) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        if fd < 0 { throw MinipodError.sys("socket") }
        unlink(path)
        let rc = withAddress(of: path) { addr, len in bind(fd, addr, len) }
        if rc != 0 || Glibc.listen(fd, backlog) != 0 {
            let e = errno
            close(fd)
            throw MinipodError.sys("listen on \(path)", errno: e)
        }
        return fd
    }

    public static func connect(to path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        if fd < 0 { throw MinipodError.sys("socket") }
        let rc = withAddress(of: path) { addr, len in Glibc.connect(fd, addr, len) }
        if rc != 0 {
            let e = errno
            close(fd)
            throw MinipodError.sys("connect to \(path)", errno: e)
        }
        return fd
    }

    /// Calls body with a sockaddr_un for path (or for its /proc/self/fd alias) and -1 if the directory cannot be opened.
    private static func withAddress(of path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> Int32) -> Int32 {
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        var directoryFD: Int32 = -1
        defer { if directoryFD >= 0 { close(directoryFD) } }
        var bytes = Array(path.utf8)
        if bytes.count >= MemoryLayout.size(ofValue: addr.sun_path) {
            let slash = path.lastIndex(of: "/") ?? path.startIndex
            directoryFD = open(String(path[..<slash]), MP_O_PATH | O_DIRECTORY | O_CLOEXEC)
            if directoryFD < 0 { return -1 }
            bytes = Array("/proc/self/fd/\(directoryFD)\(path[slash...])".utf8)
            if bytes.count >= MemoryLayout.size(ofValue: addr.sun_path) {
                errno = ENAMETOOLONG
                return -1
            }
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }
}
