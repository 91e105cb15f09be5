import CMinipod
import Glibc

/// A descriptor that closes itself: it cannot be copied, so exactly one owner closes it.
public struct OwnedDescriptor: ~Copyable {
    public let raw: Int32

    public init(_ raw: Int32) { self.raw = raw }

    /// The path that names this descriptor's file: a mount or open through it reaches
    /// that very file, whatever the path it was opened by points at now.
    public var procPath: String { "/proc/self/fd/\(raw)" }

    deinit { close(raw) }
}

/// Paths inside a directory that a container can write (a volume, a hostPath): the
/// kernel resolves them (openat2 RESOLVE_BENEATH), so no symlink, absolute or
/// relative, and no ".." leads out of the directory, and the caller acts on the
/// descriptor, so nothing can be swapped in between the check and the use
/// (the subPath CVEs: CVE-2017-1002101, CVE-2021-25741).
public enum PathBeneath {
    public enum Scope: Sendable {
        /// Anything that leads out of the directory is refused (EXDEV): a volume, where kubelet refuses.
        case beneath
        /// The directory is "/": absolute symlinks and ".." stay inside it, as in a container's rootfs.
        case inRoot

        var resolve: UInt64 {
            (self == .beneath ? MP_RESOLVE_BENEATH : MP_RESOLVE_IN_ROOT) | MP_RESOLVE_NO_MAGICLINKS
        }
    }

    /// An O_PATH descriptor of `relative` inside the directory `base`. `base` itself is
    /// trusted (a volume directory minipod made, or the manifest's hostPath) and is
    /// followed as the host resolves it; a symlink inside it may point anywhere inside it.
    /// With `createDirectories`, missing directories along `relative` (the last one too) are made, each
    /// inside the one resolved before it, with `base`'s mode (as kubelet makes a subPath).
    public static func open(
        _ relative: String, in base: String, scope: Scope = .beneath, createDirectories: Bool = false
    ) throws
        -> OwnedDescriptor
    {
        let root = Glibc.open(base, MP_O_PATH | O_DIRECTORY | O_CLOEXEC)
        if root < 0 { throw MinipodError.sys("open \(base)") }
        let baseFD = OwnedDescriptor(root)
        let parts = relative.split(separator: "/").map(String.init).filter { $0 != "." }
        if createDirectories {
            for depth in parts.indices {
                try makeMissingDirectory(parts[...depth], in: baseFD, base: base, scope: scope)
            }
        }
        return try openBeneath(baseFD, parts.isEmpty ? "." : parts.joined(separator: "/"), base: base, scope: scope)
    }

    private static func openBeneath(
        _ baseFD: borrowing OwnedDescriptor, _ relative: String, base: String, scope: Scope,
        flags: Int32 = MP_O_PATH
    ) throws -> OwnedDescriptor {
        let fd = mp_openat2(baseFD.raw, relative, flags, 0, scope.resolve)
        if fd >= 0 { return OwnedDescriptor(fd) }
        let e = errno
        switch e {
        case EXDEV:
            throw MinipodError(.runtime, "\"\(relative)\" leads outside \(base) (through a symlink or \"..\")")
        case ENOSYS:
            throw MinipodError(
                .runtime, "this kernel has no openat2(2) (Linux 5.6+), which resolving \"\(relative)\" inside \(base) safely needs", errno: e)
        default:
            throw MinipodError.sys("open \"\(relative)\" inside \(base)", errno: e)
        }
    }

    /// Makes the last of `parts` a directory if nothing is there: mkdirat(2) of one name in
    /// the descriptor of its parent, which never follows a symlink (a dangling one is EEXIST).
    private static func makeMissingDirectory(_ parts: ArraySlice<String>, in baseFD: borrowing OwnedDescriptor, base: String, scope: Scope) throws {
        let path = parts.joined(separator: "/")
        let probe = mp_openat2(baseFD.raw, path, MP_O_PATH, 0, scope.resolve)
        if probe >= 0 {
            close(probe)
            return
        }
        guard errno == ENOENT else {
            _ = try openBeneath(baseFD, path, base: base, scope: scope)
            return
        }
        let parentPath = parts.count == 1 ? "." : parts.dropLast().joined(separator: "/")
        let parent = try openBeneath(baseFD, parentPath, base: base, scope: scope, flags: O_RDONLY | O_DIRECTORY)
        var st = stat()
        guard fstat(baseFD.raw, &st) == 0 else { throw MinipodError.sys("stat \(base)") }
        let mode = st.st_mode & 0o7777
        if mkdirat(parent.raw, parts.last!, mode) != 0 {
            if errno == EEXIST { return }  // made meanwhile; the final open checks where it leads
            throw MinipodError.sys("mkdir \"\(path)\" inside \(base)")
        }
        // umask took bits away. O_NOFOLLOW: should the new name have been swapped for a symlink, nothing is changed.
        let made = try openBeneath(baseFD, path, base: base, scope: scope, flags: O_RDONLY | O_DIRECTORY | O_NOFOLLOW)
        _ = fchmod(made.raw, mode)
    }
}
