import CMinipod
import Foundation
import MinipodSystem

/// Unpacks one layer into a directory usable as an overlayfs lowerdir.
/// GNU tar does the extraction (it refuses `..` and absolute member names and
/// keeps owners, modes and xattrs); OCI whiteouts then become overlayfs ones.
/// The hardened extractor (openat2 RESOLVE_IN_ROOT) is tracked in the images issue.
enum LayerUnpacker {
    static func unpack(blob: String, into target: String, scratch: String) throws {
        try FileIO.makeDirectories(scratch)
        let partial = scratch + "/layer-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileIO.makeDirectories(partial)
        do {
            let r = try Spawn.run("/bin/tar", ["--numeric-owner", "--same-owner", "--same-permissions", "--xattrs",
                                                "--xattrs-include=*", "--no-overwrite-dir", "-xf", blob, "-C", partial])
            guard r.status == .exited(0) else {
                throw MinipodError(.imageError, "cannot unpack layer \(blob): \(String(decoding: r.stderr, as: UTF8.self).prefix(300))")
            }
            try convertWhiteouts(in: partial)
            // An interrupted unpack leaves only a scratch dir: the layer appears whole or not at all.
            if rename(partial, target) != 0 {
                if errno == EEXIST || errno == ENOTEMPTY { try? FileIO.removeTree(partial); return }
                throw MinipodError.sys("rename layer into \(target)")
            }
        } catch {
            try? FileIO.removeTree(partial)
            throw error
        }
    }

    /// `.wh.NAME` → a 0/0 character device NAME; `.wh..wh..opq` → trusted.overlay.opaque=y on the directory;
    /// device nodes are dropped.
    static func convertWhiteouts(in dir: String) throws {
        for name in try FileIO.listDirectory(dir) {
            let path = dir + "/" + name
            var st = stat()
            guard lstat(path, &st) == 0 else { continue }
            if name == ".wh..wh..opq" {
                unlink(path)
                if mp_setxattr(dir, "trusted.overlay.opaque", "y", 1) != 0 { throw MinipodError.sys("mark \(dir) opaque") }
            } else if name.hasPrefix(".wh.") {
                unlink(path)
                let hidden = dir + "/" + String(name.dropFirst(4))
                if mknod(hidden, S_IFCHR | 0o600, 0) != 0 { throw MinipodError.sys("whiteout \(hidden)") }
            } else if (st.st_mode & S_IFMT) == S_IFDIR {
                try convertWhiteouts(in: path)
            } else if (st.st_mode & S_IFMT) == S_IFBLK || ((st.st_mode & S_IFMT) == S_IFCHR && st.st_rdev != 0) {
                // Device nodes from an image would give the container a host device behind the
                // cgroup's back; containers get their /dev from the runtime, never from layers.
                unlink(path)
            }
        }
    }
}
