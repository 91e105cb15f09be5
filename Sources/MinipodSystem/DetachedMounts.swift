import CMinipod
import Glibc

/// The new mount API (open_tree, mount_setattr, fsopen/fsconfig/fsmount, move_mount):
/// mounts held as file descriptors, in no mount table until moved somewhere. A pod in
/// its own user namespace gets its rootfs this way: made and ID-mapped by the host,
/// attached by the container's init inside its own mount namespace.
extension Sys {
    /// A detached copy of the mount tree at `path` (open_tree OPEN_TREE_CLONE), close-on-exec.
    public static func cloneMount(_ path: String) throws -> Int32 {
        let fd = mp_open_tree_clone(path)
        if fd < 0 { throw MinipodError.sys("open_tree \(path)") }
        return fd
    }

    /// Makes a detached mount show its files through the user namespace's ID map
    /// (MOUNT_ATTR_IDMAP): host ID base+N appears as N to that namespace's processes.
    public static func setIDMap(mount fd: Int32, userNamespace: Int32, what: String) throws {
        if mp_mount_set_idmap(fd, userNamespace) != 0 { throw MinipodError.sys("ID-map the mount of \(what) (mount_setattr MOUNT_ATTR_IDMAP)") }
    }

    /// A filesystem context (fsopen) to configure with fsconfig and mount with fsmount.
    public static func openFilesystem(_ type: String) throws -> Int32 {
        let fd = mp_fsopen(type)
        if fd < 0 { throw MinipodError.sys("fsopen \(type)") }
        return fd
    }

    public static func configureFilesystem(_ fs: Int32, _ key: String, _ value: String) throws {
        if mp_fsconfig_string(fs, key, value) != 0 { throw MinipodError.sys("fsconfig \(key)=\(value)") }
    }

    /// A key whose value is an open file: overlayfs takes its layers this way (lowerdir+, Linux 6.13).
    public static func configureFilesystem(_ fs: Int32, _ key: String, descriptor: Int32, what: String) throws {
        if mp_fsconfig_fd(fs, key, descriptor) != 0 { throw MinipodError.sys("fsconfig \(key) \(what)") }
    }

    /// Creates the superblock and returns its detached mount (fsconfig CMD_CREATE, fsmount).
    public static func mountFilesystem(_ fs: Int32, what: String) throws -> Int32 {
        if mp_fsconfig_create(fs) != 0 { throw MinipodError.sys("create the \(what) filesystem") }
        let fd = mp_fsmount(fs)
        if fd < 0 { throw MinipodError.sys("fsmount \(what)") }
        return fd
    }

    /// Attaches a detached mount at `target` in the caller's mount namespace.
    public static func moveMount(_ fd: Int32, to target: String) throws {
        if mp_move_mount_to(fd, target) != 0 { throw MinipodError.sys("move_mount onto \(target)") }
    }
}
