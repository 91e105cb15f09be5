import CMinipod
import Foundation
import MinipodSystem

/// Unpacks one layer into a directory usable as an overlayfs lowerdir.
/// GNU tar does the extraction (it refuses `..` and absolute member names and
/// keeps owners, modes and xattrs); OCI whiteouts then become overlayfs ones.
/// Its input is read once (LayerStream): hashed, inflated, counted (a tar bomb stops at
/// the size limit) and unpacked in one pass, into a scratch directory that becomes the
/// layer only when both digests match.
/// The hardened extractor (openat2 RESOLVE_IN_ROOT) is tracked in the images issue.
enum LayerUnpacker {
    /// `checkBlob` gets the sha256 of the blob (omitted: not hashed, it was checked before),
    /// `checkContent` that of its uncompressed tar (the diff_id); either throws to refuse the layer.
    static func unpack(
        blob: String, into target: String, scratch: String, checkBlob: ((String) throws -> Void)? = nil,
        checkContent: (String) throws -> Void
    ) throws {
        try FileIO.makeDirectories(scratch)
        let partial = scratch + "/layer-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileIO.makeDirectories(partial)
        do {
            let diffID = try LayerStream.extract(
                blob: blob,
                tarArguments: [
                    "--numeric-owner", "--same-owner", "--same-permissions", "--xattrs",
                    "--xattrs-include=*", "--no-overwrite-dir",
                ],
                into: partial, scratch: scratch, checkBlob: checkBlob)
            try checkContent(diffID)
            try convertWhiteouts(in: partial)
            // An interrupted unpack leaves only a scratch dir: the layer appears whole or not at all.
            if rename(partial, target) != 0 {
                if errno == EEXIST || errno == ENOTEMPTY {
                    try? FileIO.removeTree(partial)
                    return
                }
                throw MinipodError.sys("rename layer into \(target)")
            }
        } catch {
            try? FileIO.removeTree(partial)
            throw error
        }
    }

    /// `.wh.NAME` → a 0/0 character device NAME; `.wh..wh..opq` → trusted.overlay.opaque=y on the directory;
    /// device nodes are dropped. Walks directory fds by the raw names readdir gives: tar member names
    /// are bytes, and a String path cannot reach a name that is not UTF-8.
    static func convertWhiteouts(in dir: String) throws {
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        if fd < 0 { throw MinipodError.sys("open \(dir)") }
        defer { close(fd) }
        try convertWhiteouts(fd: fd, shown: dir)
    }

    private static let whiteoutPrefix = Array(".wh.".utf8).map { CChar(bitPattern: $0) }
    private static let opaqueMarker = Array(".wh..wh..opq".utf8).map { CChar(bitPattern: $0) } + [0]

    private static func convertWhiteouts(fd: Int32, shown: String) throws {
        for name in try FileIO.rawNames(fd, shown: shown) {
            let path = shown + "/" + printable(name)
            var st = stat()
            guard fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
            let type = st.st_mode & S_IFMT
            if name == opaqueMarker {
                try removeMarker(fd, name, type: type, path: path)
                if mp_fsetxattr(fd, "trusted.overlay.opaque", "y", 1) != 0 { throw MinipodError.sys("mark \(shown) opaque") }
            } else if name.starts(with: whiteoutPrefix) {
                try removeMarker(fd, name, type: type, path: path)
                let hidden = Array(name.dropFirst(whiteoutPrefix.count))
                if mknodat(fd, hidden, S_IFCHR | 0o600, 0) != 0 { throw MinipodError.sys("whiteout \(shown)/\(printable(hidden))") }
            } else if type == S_IFDIR {
                let child = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                if child < 0 { throw MinipodError.sys("open \(path)") }
                defer { close(child) }
                try convertWhiteouts(fd: child, shown: path)
            } else if type == S_IFBLK || (type == S_IFCHR && st.st_rdev != 0) {
                // Device nodes from an image would give the container a host device behind the
                // cgroup's back; containers get their /dev from the runtime, never from layers.
                if unlinkat(fd, name, 0) != 0 { throw MinipodError.sys("remove device node \(path)") }
            }
        }
    }

    /// Whiteout markers are files (OCI image-spec). A directory by that name is refused, not
    /// skipped: unlink cannot remove it, so it would stay in the layer with its content never
    /// converted (device nodes included).
    private static func removeMarker(_ fd: Int32, _ name: [CChar], type: mode_t, path: String) throws {
        if type == S_IFDIR { throw MinipodError(.imageError, "layer has a directory \(path) where a whiteout file belongs") }
        if unlinkat(fd, name, 0) != 0 { throw MinipodError.sys("remove whiteout \(path)") }
    }

    /// A raw, NUL-terminated name for messages.
    private static func printable(_ name: [CChar]) -> String {
        String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
