import CMinipod

#if canImport(Glibc)
    import Glibc
#endif

/// Plain POSIX file helpers usable from minipod-init (no Foundation there).
public enum FileIO {
    public static func readBytes(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw MinipodError.sys("open \(path)") }
        defer { close(fd) }
        return try readAll(fd, what: path)
    }

    public static func readString(_ path: String) throws -> String {
        String(decoding: try readBytes(path), as: UTF8.self)
    }

    public static func readAll(_ fd: Int32, what: String) throws -> [UInt8] {
        var result: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &buf, buf.count)
            if n > 0 {
                result += buf[0..<n]
                continue
            }
            if n == 0 { return result }
            if errno == EINTR { continue }
            throw MinipodError.sys("read \(what)")
        }
    }

    @discardableResult
    public static func writeAll(_ fd: Int32, _ text: String) -> Bool {
        Array(text.utf8).withUnsafeBytes { writeAll(fd, $0) }
    }

    @discardableResult
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var off = 0
        while off < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + off, bytes.count - off)
            if n > 0 {
                off += n
                continue
            }
            if n < 0 && errno == EINTR { continue }
            return false
        }
        return true
    }

    public static func write(_ path: String, _ text: String, mode: mode_t = 0o644, flags: Int32 = O_WRONLY | O_CREAT | O_TRUNC) throws {
        try write(path, bytes: Array(text.utf8), mode: mode, flags: flags)
    }

    public static func write(_ path: String, bytes: [UInt8], mode: mode_t = 0o644, flags: Int32 = O_WRONLY | O_CREAT | O_TRUNC) throws {
        let fd = open(path, flags | O_CLOEXEC, mode)
        if fd < 0 { throw MinipodError.sys("open \(path)") }
        defer { close(fd) }
        let ok = bytes.withUnsafeBytes { writeAll(fd, $0) }
        if !ok { throw MinipodError.sys("write \(path)") }
    }

    public static func writeAtomically(_ path: String, _ text: String, mode: mode_t = 0o644) throws {
        try writeAtomically(path, bytes: Array(text.utf8), mode: mode)
    }

    /// Write to a temp file then rename: readers see the old or the new content, never half.
    public static func writeAtomically(_ path: String, bytes: [UInt8], mode: mode_t = 0o644) throws {
        let tmp = path + ".tmp.\(getpid())"
        try write(tmp, bytes: bytes, mode: mode)
        if rename(tmp, path) != 0 {
            let e = errno
            unlink(tmp)
            throw MinipodError.sys("rename \(tmp) to \(path)", errno: e)
        }
    }

    public static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// mkdir -p.
    public static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws {
        if isDirectory(path) { return }
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, mode) != 0 && errno != EEXIST {
                throw MinipodError.sys("mkdir \(current)")
            }
        }
    }

    /// rm -rf that never crosses into another mount (a leftover bind mount
    /// must not take the host's files with it) and never follows symlinks.
    /// Works below the top through directory fds on the raw names readdir
    /// gives: a layer may hold names that are not UTF-8, which no String path
    /// can reach again.
    public static func removeTree(_ path: String) throws {
        var st = stat()
        if lstat(path, &st) != 0 {
            if errno == ENOENT { return }
            throw MinipodError.sys("lstat \(path)")
        }
        guard (st.st_mode & S_IFMT) == S_IFDIR else {
            if unlink(path) != 0 && errno != ENOENT { throw MinipodError.sys("unlink \(path)") }
            return
        }
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        if fd < 0 { throw MinipodError.sys("open \(path)") }
        try removeContents(of: fd, device: st.st_dev, shown: path)
        if rmdir(path) != 0 && errno != ENOENT { throw MinipodError.sys("rmdir \(path)") }
    }

    /// Empties the directory open at `fd` and closes it.
    private static func removeContents(of fd: Int32, device: dev_t, shown: String) throws {
        let names: [[CChar]]
        do {
            names = try rawNames(fd, shown: shown)
        } catch {
            close(fd)
            throw error
        }
        defer { close(fd) }
        for name in names {
            let child = shown + "/" + String(decoding: name.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
            var st = stat()
            if fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 { continue }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                if st.st_dev != device {
                    throw MinipodError(.system, "refusing to remove \(child): it is a mount point still mounted")
                }
                let childFD = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                if childFD < 0 { throw MinipodError.sys("open \(child)") }
                try removeContents(of: childFD, device: device, shown: child)
                if unlinkat(fd, name, AT_REMOVEDIR) != 0 && errno != ENOENT { throw MinipodError.sys("rmdir \(child)") }
            } else if unlinkat(fd, name, 0) != 0 && errno != ENOENT {
                throw MinipodError.sys("unlink \(child)")
            }
        }
    }

    /// The entry names of the directory open at `fd` (not . and ..), NUL-terminated as the
    /// kernel gave them; `fd` stays open. Read in full before the caller changes the directory.
    public static func rawNames(_ fd: Int32, shown: String) throws -> [[CChar]] {
        let dupFD = dup(fd)
        guard dupFD >= 0, let dir = fdopendir(dupFD) else {
            if dupFD >= 0 { close(dupFD) }
            throw MinipodError.sys("opendir \(shown)")
        }
        defer { closedir(dir) }
        rewinddir(dir)
        var names: [[CChar]] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                Array(raw.bindMemory(to: CChar.self).prefix { $0 != 0 }) + [0]
            }
            if name != [0x2e, 0] && name != [0x2e, 0x2e, 0] { names.append(name) }
        }
        return names
    }

    public static func listDirectory(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else {
            if errno == ENOENT { return [] }
            throw MinipodError.sys("opendir \(path)")
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }
}

public struct FDPipe {
    public let read: Int32
    public let write: Int32

    public static func make(cloexec: Bool = true) throws -> FDPipe {
        var fds: [Int32] = [0, 0]
        if mp_pipe2(&fds, cloexec ? 1 : 0) != 0 { throw MinipodError.sys("pipe2") }
        return FDPipe(read: fds[0], write: fds[1])
    }
}

/// A SOCK_SEQPACKET pair: message boundaries are kept, so each JSON document is one message.
public struct SocketPair {
    public let parent: Int32
    public let child: Int32

    public static func make() throws -> SocketPair {
        var fds: [Int32] = [0, 0]
        if socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) != 0 {
            throw MinipodError.sys("socketpair")
        }
        // A message must fit the sender's buffer (~208 KiB by default): room for Message.maxSize.
        var size = Int32(Message.maxSize + 64 * 1024)
        for fd in fds { _ = setsockopt(fd, SOL_SOCKET, 32 /* SO_SNDBUFFORCE, root only */, &size, socklen_t(MemoryLayout<Int32>.size)) }
        return SocketPair(parent: fds[0], child: fds[1])
    }
}

public enum Message {
    /// Largest message we accept; a spec with a full seccomp profile is ~20 KiB.
    public static let maxSize = 1 << 20

    public static func send(_ fd: Int32, _ bytes: [UInt8]) throws {
        if bytes.count > maxSize { throw MinipodError(.internal, "message of \(bytes.count) bytes exceeds the init protocol's \(maxSize)") }
        let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if n != bytes.count { throw MinipodError.sys("send message") }
    }

    /// nil on EOF (the peer closed, e.g. its CLOEXEC end vanished at execve).
    /// Peeks at the message's size first: a buffer of maxSize zeroed per message
    /// costs 256 page faults in every container start and exec.
    public static func receive(_ fd: Int32) throws -> [UInt8]? {
        while true {
            let size = recv(fd, nil, 0, Int32(MSG_PEEK | MSG_TRUNC))
            if size == 0 { return nil }
            if size < 0 {
                if errno == EINTR { continue }
                if errno == ECONNRESET { return nil }
                throw MinipodError.sys("receive message")
            }
            if size > maxSize { throw MinipodError(.internal, "message of \(size) bytes exceeds \(maxSize)") }
            var buf = [UInt8](repeating: 0, count: size)
            let n = recv(fd, &buf, size, 0)
            if n == size { return buf }
            if n < 0 && errno == EINTR { continue }
            throw MinipodError.sys("receive message")
        }
    }
}

/// Receives one message that may carry an fd (SCM_RIGHTS). Returns the fd or -1; `got` is the data length.
public func mp_recv_fd_swift(_ sock: Int32, _ buf: inout [UInt8], _ got: inout Int) -> Int32 {
    var n: Int = 0
    let fd = buf.withUnsafeMutableBytes { mp_recv_fd(sock, $0.baseAddress, $0.count, &n) }
    got = n
    return fd
}
