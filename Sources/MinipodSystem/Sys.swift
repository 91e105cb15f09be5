import CMinipod

#if canImport(Glibc)
    import Glibc
#endif

/// Typed wrappers over the raw calls the C shim exports; each throws with errno and context.
public enum Sys {
    public struct MountFlags: OptionSet, Sendable {
        public let rawValue: UInt
        public init(rawValue: UInt) { self.rawValue = rawValue }
        public static let readOnly = MountFlags(rawValue: MP_MS_RDONLY)
        public static let noSuid = MountFlags(rawValue: MP_MS_NOSUID)
        public static let noDev = MountFlags(rawValue: MP_MS_NODEV)
        public static let noExec = MountFlags(rawValue: MP_MS_NOEXEC)
        public static let remount = MountFlags(rawValue: MP_MS_REMOUNT)
        public static let bind = MountFlags(rawValue: MP_MS_BIND)
        public static let recursive = MountFlags(rawValue: MP_MS_REC)
        public static let `private` = MountFlags(rawValue: MP_MS_PRIVATE)
        public static let slave = MountFlags(rawValue: MP_MS_SLAVE)
        public static let shared = MountFlags(rawValue: MP_MS_SHARED)
        public static let unbindable = MountFlags(rawValue: MP_MS_UNBINDABLE)
        public static let strictAtime = MountFlags(rawValue: MP_MS_STRICTATIME)
        public static let relatime = MountFlags(rawValue: MP_MS_RELATIME)
        public static let noAtime = MountFlags(rawValue: MP_MS_NOATIME)
        public static let noDirAtime = MountFlags(rawValue: MP_MS_NODIRATIME)
        public static let move = MountFlags(rawValue: MP_MS_MOVE)
    }

    public struct Namespaces: OptionSet, Sendable {
        public let rawValue: UInt
        public init(rawValue: UInt) { self.rawValue = rawValue }
        public static let mount = Namespaces(rawValue: MP_CLONE_NEWNS)
        public static let pid = Namespaces(rawValue: MP_CLONE_NEWPID)
        public static let net = Namespaces(rawValue: MP_CLONE_NEWNET)
        public static let uts = Namespaces(rawValue: MP_CLONE_NEWUTS)
        public static let ipc = Namespaces(rawValue: MP_CLONE_NEWIPC)
        public static let cgroup = Namespaces(rawValue: MP_CLONE_NEWCGROUP)
        public static let user = Namespaces(rawValue: MP_CLONE_NEWUSER)
        public static let time = Namespaces(rawValue: MP_CLONE_NEWTIME)

        /// The OCI runtime-spec name of a single namespace (`network`, `mount`, ...).
        public init?(ociType: String) {
            switch ociType {
            case "mount": self = .mount
            case "pid": self = .pid
            case "network": self = .net
            case "uts": self = .uts
            case "ipc": self = .ipc
            case "cgroup": self = .cgroup
            case "user": self = .user
            case "time": self = .time
            default: return nil
            }
        }

        /// The name under /proc/<pid>/ns/.
        public var procName: String {
            switch self {
            case .mount: return "mnt"
            case .pid: return "pid"
            case .net: return "net"
            case .uts: return "uts"
            case .ipc: return "ipc"
            case .cgroup: return "cgroup"
            case .user: return "user"
            case .time: return "time"
            default: return "?"
            }
        }
    }

    public static func mount(source: String?, target: String, type: String?, flags: MountFlags = [], data: String? = nil) throws {
        if mp_mount(source, target, type, flags.rawValue, data) != 0 {
            let e = errno
            throw MinipodError.sys("mount \(type ?? "bind") \(source ?? "none") on \(target)", errno: e)
        }
    }

    /// The per-mount flags of the mount holding `path` (statvfs), as mount(2) flags.
    public static func mountFlags(of path: String) throws -> MountFlags {
        var info = statvfs()
        if statvfs(path, &info) != 0 { throw MinipodError.sys("statvfs \(path)") }
        let table: [(UInt, MountFlags)] = [
            (MP_ST_RDONLY, .readOnly), (MP_ST_NOSUID, .noSuid), (MP_ST_NODEV, .noDev), (MP_ST_NOEXEC, .noExec),
            (MP_ST_NOATIME, .noAtime), (MP_ST_NODIRATIME, .noDirAtime), (MP_ST_RELATIME, .relatime),
        ]
        var flags: MountFlags = []
        for (bit, flag) in table where info.f_flag & bit != 0 { flags.insert(flag) }
        return flags
    }

    public static func unmount(_ target: String, detach: Bool = true) throws {
        if mp_umount2(target, detach ? MP_MNT_DETACH : 0) != 0 {
            let e = errno
            throw MinipodError.sys("umount \(target)", errno: e)
        }
    }

    public static func pivotRoot(newRoot: String, putOld: String) throws {
        if mp_pivot_root(newRoot, putOld) != 0 { throw MinipodError.sys("pivot_root \(newRoot)") }
    }

    public static func unshare(_ namespaces: Namespaces) throws {
        if mp_unshare(Int32(bitPattern: UInt32(truncatingIfNeeded: namespaces.rawValue))) != 0 {
            throw MinipodError.sys("unshare(\(namespaces.rawValue))")
        }
    }

    /// Joins the namespace file at `path` (a /proc/<pid>/ns/* link or a bind mount of one).
    public static func setns(path: String, _ type: Namespaces) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw MinipodError.sys("open namespace \(path)") }
        defer { close(fd) }
        try setns(fd: fd, type, what: path)
    }

    public static func setns(fd: Int32, _ type: Namespaces, what: String) throws {
        if mp_setns(fd, Int32(bitPattern: UInt32(truncatingIfNeeded: type.rawValue))) != 0 {
            throw MinipodError.sys("setns \(type.procName) \(what)")
        }
    }

    public static func sethostname(_ name: String) throws {
        let rc = name.withCString { mp_sethostname($0, strlen($0)) }
        if rc != 0 { throw MinipodError.sys("sethostname \(name)") }
    }

    public static func setNoNewPrivileges() throws {
        if mp_set_no_new_privs() != 0 { throw MinipodError.sys("prctl(PR_SET_NO_NEW_PRIVS)") }
    }

    public static func setChildSubreaper() throws {
        if mp_set_child_subreaper() != 0 { throw MinipodError.sys("prctl(PR_SET_CHILD_SUBREAPER)") }
    }

    /// Number of threads of the calling process: setns into a mount namespace needs 1.
    public static func threadCount() -> Int {
        guard let status = try? FileIO.readString("/proc/self/status") else { return -1 }
        for line in status.split(separator: "\n") where line.hasPrefix("Threads:") {
            return Int(line.dropFirst(8).filter { !$0.isWhitespace }) ?? -1
        }
        return -1
    }
}

/// How a waited-for child ended.
public enum ExitStatus: Equatable, Sendable {
    case exited(Int32)
    case signaled(Int32)

    public init(waitStatus: Int32) {
        if mp_wait_signaled(waitStatus) != 0 {
            self = .signaled(mp_wait_termsig(waitStatus))
        } else {
            self = .exited(mp_wait_exitstatus(waitStatus))
        }
    }

    /// Shell convention: 128+signal for a signal death.
    public var code: Int32 {
        switch self {
        case .exited(let c): return c
        case .signaled(let s): return 128 + s
        }
    }
}
