import CCap
import Glibc
import MinipodInitProtocol
import MinipodOCI
import MinipodSystem

/// What a container's setup asks of the kernel, so its order can be checked without root:
/// LinuxSyscalls makes the calls, the unit tests' recording fake writes them down (as
/// youki's Syscall trait and its TestHelperSyscall). A failing call throws MinipodError
/// with its errno.
public protocol Syscalls: MountCalls, FileCalls, NamespaceCalls, ProcessCalls, ExecCalls {}

/// The mount table and the process's view of the root.
public protocol MountCalls {
    func mount(source: String?, target: String, type: String?, flags: Sys.MountFlags, data: String?) throws
    func unmount(_ target: String, detach: Bool) throws
    /// The flags of the mount holding `path`: in a user namespace the kernel locked them.
    func mountFlags(of path: String) throws -> Sys.MountFlags
    func pivotRoot(newRoot: String, putOld: String) throws
    /// Attaches a detached mount the launcher passed (move_mount), then closes its descriptor.
    func moveMount(_ descriptor: Int32, to target: String) throws
    func chdir(_ path: String) throws
    func chroot(_ path: String) throws
    /// Opens `relative` inside the directory `base`, never leading out of it (PathBeneath),
    /// and hands `body` a path naming that descriptor (/proc/self/fd/N) while it runs:
    /// a bind mount from it reaches what was resolved, whatever the volume holds by then.
    func withPathBeneath<T>(_ relative: String, in base: String, _ body: (String) throws -> T) throws -> T
}

/// Files of the rootfs being built (and of the host before pivot_root).
public protocol FileCalls {
    /// lstat: a dangling symlink exists.
    func pathExists(_ path: String) -> Bool
    /// stat: follows symlinks.
    func isDirectory(_ path: String) -> Bool
    /// access(2) with F_OK or X_OK.
    func isAccessible(_ path: String, _ mode: Int32) -> Bool
    /// mkdir -p.
    func makeDirectories(_ path: String) throws
    /// mkdir -p of `path` with `root` as "/": no symlink or ".." leads the directories out of it.
    func makeDirectories(_ path: String, inRoot root: String) throws
    /// An empty file, mode 0644, as a bind mount's target (left as it is if it exists).
    func createFile(_ path: String) throws
    func removeFile(_ path: String) throws
    func makeSymlink(to target: String, at path: String) throws
    func makeNode(_ path: String, mode: mode_t, device: dev_t) throws
    func changeMode(_ path: String, _ mode: mode_t) throws
    func changeOwner(_ path: String, uid: uid_t, gid: gid_t) throws
}

/// The container's namespaces, cgroup, terminal and the kernel settings in /proc.
public protocol NamespaceCalls {
    func unshare(_ namespaces: Sys.Namespaces) throws
    /// lo up in a new network namespace, as runc and crun do.
    func setLoopbackUp() throws
    func setHostname(_ name: String) throws
    func joinCgroup(_ procsFiles: [String], container: String) throws
    func attachConsole(socket: Int32, container: String) throws
    func readKernelFile(_ path: String) throws -> String
    func writeKernelFile(_ path: String, _ text: String, flags: Int32) throws
}

/// The calling process's limits and identity, then the exec of the container's program.
public protocol ProcessCalls {
    /// getrlimit; zero limits when it fails.
    func resourceLimit(_ resource: __rlimit_resource_t) -> rlimit
    func setResourceLimit(_ resource: __rlimit_resource_t, _ limit: rlimit) throws
    func setUmask(_ mask: mode_t)
    /// PR_SET_KEEPCAPS: keep the permitted set across setuid.
    func setKeepCapabilities(_ keep: Bool)
    func setGroups(_ groups: [gid_t]) throws
    func setGroupID(_ gid: gid_t) throws
    func setUserID(_ uid: uid_t) throws
    func dropBoundingCapability(_ capability: cap_value_t) throws
    func setCapabilities(effective: [cap_value_t], permitted: [cap_value_t], inheritable: [cap_value_t]) throws
    /// Clears the ambient set, then raises each; the kernel's refusals are ignored (as runc).
    func raiseAmbientCapabilities(_ capabilities: [cap_value_t])
    func setNoNewPrivileges() throws
    func loadSeccomp(_ program: SeccompProgram) throws
    /// execve: returns only when it failed, with its errno.
    func execute(_ path: String, arguments: [String], environment: [String]) -> Int32
}

/// exec mode: joining a running container and running a command in it as our child.
public protocol ExecCalls {
    /// The namespace a /proc/<pid>/ns link names ("net:[4026531992]"), nil when unreadable.
    func namespaceID(_ path: String) -> String?
    /// Opens a /proc entry (O_PATH for a directory); nil when it does not exist.
    func openProcEntry(_ path: String, directory: Bool) throws -> Int32?
    func closeDescriptor(_ fd: Int32)
    func threadCount() -> Int
    func setns(_ fd: Int32, _ namespace: Sys.Namespaces, container: String) throws
    /// fchdir to the directory, chroot("."), chdir("/").
    func chrootInto(_ directory: Int32, container: String) throws
    /// A new pty in the joined mount namespace: its master and the path of its peer.
    func openTerminal(container: String) throws -> (master: Int32, peer: String)
    func sendDescriptor(_ fd: Int32, over socket: Int32) throws
    /// fork(); from then on the parent passes `signals` on to the child. 0 in the child.
    func forkForwarding(_ signals: [Int32]) throws -> pid_t
    /// In the child: a new session whose controlling terminal (and stdio) is the pty peer.
    func becomeTerminalSession(_ peer: String) throws
    /// waitpid until the child ended; throws (ECHILD) when there is nothing to wait for.
    func waitForExit(_ pid: pid_t) throws -> ExitStatus
}
