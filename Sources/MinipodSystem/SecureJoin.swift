import Glibc

/// Resolves `path` as if `root` were "/": symlinks are followed but can never
/// lead outside root, and ".." stops at root (CVE-2021-30465 class). The image
/// is not trusted; the container is not running yet, so there is no race with it.
/// Hand-written because no maintained Swift library does this; mirrors
/// cyphar/filepath-securejoin's algorithm.
public func secureJoin(root: String, _ path: String) throws -> String {
    var resolved: [String] = []
    var pending = path.split(separator: "/").map(String.init)
    var linksFollowed = 0
    while !pending.isEmpty {
        let part = pending.removeFirst()
        if part == "." || part.isEmpty { continue }
        if part == ".." {
            _ = resolved.popLast()
            continue
        }
        let candidate = root + "/" + (resolved + [part]).joined(separator: "/")
        var st = stat()
        if lstat(candidate, &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK {
            linksFollowed += 1
            if linksFollowed > 40 { throw MinipodError(.runtime, "too many symlinks resolving \(path)", errno: ELOOP) }
            var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = readlink(candidate, &buf, buf.count - 1)
            if n < 0 { throw MinipodError.sys("readlink \(candidate)") }
            let target = String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if target.hasPrefix("/") { resolved = [] }
            pending = target.split(separator: "/").map(String.init) + pending
            continue
        }
        resolved.append(part)
    }
    return root + "/" + resolved.joined(separator: "/")
}
