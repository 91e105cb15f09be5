import CCap
import CMinipod
import Glibc
import MinipodInitProtocol
import MinipodOCI
import MinipodSystem

/// The kernel itself: the Sys wrappers, FileIO, libcap and Glibc.
public struct LinuxSyscalls: Syscalls {
    public init() {}

    // MARK: MountCalls

    public func mount(source: String?, target: String, type: String?, flags: Sys.MountFlags, data: String?) throws {
        try Sys.mount(source: source, target: target, type: type, flags: flags, data: data)
    }

    public func unmount(_ target: String, detach: Bool) throws {
        try Sys.unmount(target, detach: detach)
    }

    public func mountFlags(of path: String) throws -> Sys.MountFlags {
        try Sys.mountFlags(of: path)
    }

    public func pivotRoot(newRoot: String, putOld: String) throws {
        try Sys.pivotRoot(newRoot: newRoot, putOld: putOld)
    }

    public func moveMount(_ descriptor: Int32, to target: String) throws {
        defer { close(descriptor) }
        try Sys.moveMount(descriptor, to: target)
    }

    public func chdir(_ path: String) throws {
        guard Glibc.chdir(path) == 0 else { throw MinipodError.sys("chdir \(path)") }
    }

    public func chroot(_ path: String) throws {
        guard Glibc.chroot(path) == 0 else { throw MinipodError.sys("chroot \(path)") }
    }

    public func withPathBeneath<T>(_ relative: String, in base: String, _ body: (String) throws -> T) throws -> T {
        let descriptor = try PathBeneath.open(relative, in: base)
        let result = try body(descriptor.procPath)
        _ = descriptor.raw  // open until body has used its path
        return result
    }

    // MARK: FileCalls

    public func pathExists(_ path: String) -> Bool { FileIO.exists(path) }

    public func isDirectory(_ path: String) -> Bool { FileIO.isDirectory(path) }

    public func isAccessible(_ path: String, _ mode: Int32) -> Bool { access(path, mode) == 0 }

    public func makeDirectories(_ path: String) throws { try FileIO.makeDirectories(path) }

    public func makeDirectories(_ path: String, inRoot root: String) throws {
        _ = try PathBeneath.open(path, in: root, scope: .inRoot, createDirectories: true)
    }

    public func createFile(_ path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 { throw MinipodError.sys("create \(path)") }
        close(fd)
    }

    public func removeFile(_ path: String) throws {
        if unlink(path) != 0 { throw MinipodError.sys("unlink \(path)") }
    }

    public func makeSymlink(to target: String, at path: String) throws {
        if symlink(target, path) != 0 { throw MinipodError.sys("symlink \(path)") }
    }

    public func makeNode(_ path: String, mode: mode_t, device: dev_t) throws {
        if mknod(path, mode, device) != 0 { throw MinipodError.sys("mknod \(path)") }
    }

    public func changeMode(_ path: String, _ mode: mode_t) throws {
        if chmod(path, mode) != 0 { throw MinipodError.sys("chmod \(path)") }
    }

    public func changeOwner(_ path: String, uid: uid_t, gid: gid_t) throws {
        if chown(path, uid, gid) != 0 { throw MinipodError.sys("chown \(path)") }
    }

    // MARK: NamespaceCalls

    public func unshare(_ namespaces: Sys.Namespaces) throws { try Sys.unshare(namespaces) }
    public func setLoopbackUp() throws {
        if mp_loopback_up() != 0 { throw MinipodError.sys("set lo up in the container's network namespace") }
    }

    public func setHostname(_ name: String) throws { try Sys.sethostname(name) }

    public func joinCgroup(_ procsFiles: [String], container: String) throws {
        try CgroupJoin.join(procsFiles, container: container)
    }

    public func attachConsole(socket: Int32, container: String) throws {
        try Console.attach(socket: socket, container: container)
    }

    public func readKernelFile(_ path: String) throws -> String { try FileIO.readString(path) }

    public func writeKernelFile(_ path: String, _ text: String, flags: Int32) throws {
        try FileIO.write(path, text, flags: flags)
    }

    // MARK: ProcessCalls

    public func resourceLimit(_ resource: __rlimit_resource_t) -> rlimit {
        var limit = rlimit()
        getrlimit(resource, &limit)
        return limit
    }

    public func setResourceLimit(_ resource: __rlimit_resource_t, _ limit: rlimit) throws {
        var limit = limit
        if setrlimit(resource, &limit) != 0 { throw MinipodError.sys("setrlimit \(resource)") }
    }

    public func setUmask(_ mask: mode_t) { umask(mask) }

    public func setKeepCapabilities(_ keep: Bool) { _ = mp_set_keepcaps(keep ? 1 : 0) }

    public func setGroups(_ groups: [gid_t]) throws {
        var groups = groups
        if setgroups(groups.count, &groups) != 0 { throw MinipodError.sys("setgroups") }
    }

    public func setGroupID(_ gid: gid_t) throws {
        if setgid(gid) != 0 { throw MinipodError.sys("setgid \(gid)") }
    }

    public func setUserID(_ uid: uid_t) throws {
        if setuid(uid) != 0 { throw MinipodError.sys("setuid \(uid)") }
    }

    public func dropBoundingCapability(_ capability: cap_value_t) throws {
        if cap_drop_bound(capability) != 0 { throw MinipodError.sys("drop capability \(capability) from bounding set") }
    }

    public func setCapabilities(effective: [cap_value_t], permitted: [cap_value_t], inheritable: [cap_value_t]) throws {
        guard let state = cap_init() else { throw MinipodError.sys("cap_init") }
        defer { cap_free(UnsafeMutableRawPointer(state)) }
        for (values, flag, label) in [
            (effective, CAP_EFFECTIVE, "effective"), (permitted, CAP_PERMITTED, "permitted"),
            (inheritable, CAP_INHERITABLE, "inheritable"),
        ] {
            var values = values
            if !values.isEmpty && cap_set_flag(state, flag, Int32(values.count), &values, CAP_SET) != 0 {
                throw MinipodError.sys("cap_set_flag \(label)")
            }
        }
        if cap_set_proc(state) != 0 { throw MinipodError.sys("cap_set_proc") }
    }

    public func raiseAmbientCapabilities(_ capabilities: [cap_value_t]) {
        _ = cap_reset_ambient()
        for capability in capabilities { _ = cap_set_ambient(capability, CAP_SET) }
    }

    public func setNoNewPrivileges() throws { try Sys.setNoNewPrivileges() }

    public func loadSeccomp(_ program: SeccompProgram) throws {
        let rc = program.instructions.withUnsafeBytes { mp_seccomp_load($0.baseAddress, $0.count, program.flags) }
        if rc != 0 { throw MinipodError.sys("load seccomp filter") }
    }

    public func execute(_ path: String, arguments: [String], environment: [String]) -> Int32 {
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        execve(path, &argv, &envp)
        return errno
    }
}
