import CCap
import Glibc
import MinipodInitProtocol
import MinipodOCI
import MinipodSystem

/// One call the setup made, with its arguments, as RecordingSyscalls writes it down.
enum RecordedCall: Equatable, CustomStringConvertible {
    struct Mount: Equatable {
        var source: String?
        var target: String
        var type: String?
        var flags: Sys.MountFlags
        var data: String?
    }

    case mount(Mount)
    case unmount(String, detach: Bool)
    case pivotRoot(newRoot: String, putOld: String)
    case moveMount(Int32, target: String)
    case chdir(String)
    case chroot(String)
    case openBeneath(String, base: String)
    case makeDirectories(String)
    case createFile(String)
    case removeFile(String)
    case makeSymlink(target: String, path: String)
    case makeNode(String, mode: mode_t, device: dev_t)
    case changeMode(String, mode_t)
    case changeOwner(String, uid: uid_t, gid: gid_t)
    case unshare(Sys.Namespaces)
    case setLoopbackUp
    case setHostname(String)
    case joinCgroup([String])
    case attachConsole(socket: Int32)
    case writeKernelFile(String, String)
    case setResourceLimit(__rlimit_resource_t, soft: UInt64, hard: UInt64)
    case setUmask(mode_t)
    case setKeepCapabilities(Bool)
    case setGroups([gid_t])
    case setGroupID(gid_t)
    case setUserID(uid_t)
    case dropBoundingCapability(cap_value_t)
    case setCapabilities(effective: [cap_value_t], permitted: [cap_value_t], inheritable: [cap_value_t])
    case raiseAmbientCapabilities([cap_value_t])
    case setNoNewPrivileges
    case loadSeccomp(SeccompProgram)
    case execute(String, arguments: [String], environment: [String])
    case openProcEntry(String)
    case closeDescriptor(Int32)
    case setns(Sys.Namespaces)
    case chrootInto(Int32)
    case openTerminal
    case sendDescriptor(Int32, socket: Int32)
    case forkForwarding([Int32])
    case becomeTerminalSession(String)
    case waitForExit(pid_t)

    var mount: Mount? {
        if case .mount(let m) = self { return m }
        return nil
    }

    /// A bind or filesystem mount, not a remount or a propagation change.
    var newMount: Mount? {
        guard let m = mount, !m.flags.contains(.remount), m.source != nil else { return nil }
        return m
    }

    var remount: Mount? {
        guard let m = mount, m.flags.contains(.remount) else { return nil }
        return m
    }

    var isPivotRoot: Bool {
        if case .pivotRoot = self { return true }
        return false
    }

    var isExecute: Bool {
        if case .execute = self { return true }
        return false
    }

    var isLoadSeccomp: Bool {
        if case .loadSeccomp = self { return true }
        return false
    }

    var isDropBoundingCapability: Bool {
        if case .dropBoundingCapability = self { return true }
        return false
    }

    var isSetCapabilities: Bool {
        if case .setCapabilities = self { return true }
        return false
    }

    var isMakeNode: Bool {
        if case .makeNode = self { return true }
        return false
    }

    /// Readable in a failed expectation: "mount tmpfs tmpfs on /r/dev [0x2] mode=755".
    var description: String {
        switch self {
        case .mount(let m):
            return "mount \(m.type ?? "-") \(m.source ?? "-") on \(m.target) [0x\(String(m.flags.rawValue, radix: 16))]"
                + (m.data.map { " " + $0 } ?? "")
        case .unmount(let target, let detach): return "umount \(target)\(detach ? " (detach)" : "")"
        case .pivotRoot(let newRoot, let putOld): return "pivot_root \(newRoot) \(putOld)"
        case .moveMount(let fd, let target): return "move_mount fd \(fd) onto \(target)"
        case .chdir(let path): return "chdir \(path)"
        case .chroot(let path): return "chroot \(path)"
        case .openBeneath(let path, let base): return "open \(path) beneath \(base)"
        case .makeDirectories(let path): return "mkdir -p \(path)"
        case .createFile(let path): return "create \(path)"
        case .removeFile(let path): return "unlink \(path)"
        case .makeSymlink(let target, let path): return "symlink \(path) -> \(target)"
        case .makeNode(let path, let mode, let device): return "mknod \(path) 0o\(String(mode, radix: 8)) \(device)"
        case .changeMode(let path, let mode): return "chmod 0o\(String(mode, radix: 8)) \(path)"
        case .changeOwner(let path, let uid, let gid): return "chown \(uid):\(gid) \(path)"
        case .unshare(let namespaces): return "unshare 0x\(String(namespaces.rawValue, radix: 16))"
        case .setLoopbackUp: return "lo up"
        case .setHostname(let name): return "sethostname \(name)"
        case .joinCgroup(let files): return "join cgroup \(files)"
        case .attachConsole(let socket): return "attach console \(socket)"
        case .writeKernelFile(let path, let text): return "write \(path) \(text.debugDescription)"
        case .setResourceLimit(let resource, let soft, let hard): return "setrlimit \(resource) \(soft)/\(hard)"
        case .setUmask(let mask): return "umask 0o\(String(mask, radix: 8))"
        case .setKeepCapabilities(let keep): return "keepcaps \(keep)"
        case .setGroups(let groups): return "setgroups \(groups)"
        case .setGroupID(let gid): return "setgid \(gid)"
        case .setUserID(let uid): return "setuid \(uid)"
        case .dropBoundingCapability(let cap): return "drop bounding \(cap)"
        case .setCapabilities(let e, let p, let i): return "capset e=\(e) p=\(p) i=\(i)"
        case .raiseAmbientCapabilities(let caps): return "ambient \(caps)"
        case .setNoNewPrivileges: return "no_new_privs"
        case .loadSeccomp(let program): return "seccomp \(program.instructions.count / 8) instructions"
        case .execute(let path, let arguments, _): return "execve \(path) \(arguments)"
        case .openProcEntry(let path): return "open \(path)"
        case .closeDescriptor(let fd): return "close \(fd)"
        case .setns(let namespace): return "setns \(namespace.procName)"
        case .chrootInto(let fd): return "chroot into fd \(fd)"
        case .openTerminal: return "open /dev/ptmx"
        case .sendDescriptor(let fd, let socket): return "send fd \(fd) over \(socket)"
        case .forkForwarding(let signals): return "fork forwarding \(signals)"
        case .becomeTerminalSession(let peer): return "setsid, ctty \(peer)"
        case .waitForExit(let pid): return "waitpid \(pid)"
        }
    }
}
