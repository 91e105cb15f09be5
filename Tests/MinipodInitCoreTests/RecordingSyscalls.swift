import CCap
import Glibc
import MinipodInitCore
import MinipodInitProtocol
import MinipodOCI
import MinipodSystem

/// Writes down every call the setup makes instead of making it, and answers its
/// questions from a small model of the files, so the order can be checked without root.
/// Paths are kept as the host sees them: chroot and pivot_root move the fake's root,
/// so "/proc/kcore" asked after pivot_root is looked up in the rootfs.
final class RecordingSyscalls: Syscalls {
    var calls: [RecordedCall] = []
    /// exec mode: what /proc/<pid>/ns/* links name (unreadable when missing).
    var namespaceIDs: [String: String] = [:]
    /// /proc entries that do not exist (the container is gone).
    var missingProcEntries: Set<String> = []
    var threads = 1
    /// What fork returns: a child's pid for the parent's side, 0 for the child's.
    var forkResult: pid_t = 4242
    var exitStatus = ExitStatus.exited(0)
    private var descriptorsOpened: Int32 = 0

    func nextDescriptor() -> Int32 {
        descriptorsOpened += 1
        return 9 + descriptorsOpened
    }
    /// What readKernelFile answers (a missing file fails with ENOENT).
    var kernelFiles = ["/proc/sys/kernel/cap_last_cap": "40\n"]
    /// The flags mountFlags(of:) reports for every mount: those a user namespace locks.
    var lockedMountFlags: Sys.MountFlags = []
    var hardLimit = rlim_t.max  // RLIM_INFINITY

    private var files: Set<String> = []
    private var executables: Set<String> = []
    private var directories: Set<String> = ["/"]
    private var root = "/"
    private var workingDirectory = "/"
    private var failures: [(errno: Int32, matches: (RecordedCall) -> Bool)] = []

    /// `path` as the host sees it.
    func addFile(_ path: String, executable: Bool = false) {
        files.insert(path)
        if executable { executables.insert(path) }
        addDirectory(parentDirectory(path))
    }

    func addDirectory(_ path: String) {
        var current = path
        while current != "/" && !current.isEmpty {
            directories.insert(current)
            current = parentDirectory(current)
        }
    }

    /// Every call `matches` accepts fails with `errno` (after it is recorded), as the kernel would refuse it.
    func fail(with errno: Int32, when matches: @escaping (RecordedCall) -> Bool) {
        failures.append((errno, matches))
    }

    func record(_ call: RecordedCall) throws {
        calls.append(call)
        if let failure = failures.first(where: { $0.matches(call) }) {
            throw MinipodError.sys("\(call)", errno: failure.errno)
        }
    }

    /// Descriptor paths withPathBeneath handed out, and the host path each stands for.
    private var descriptorPaths: [String: String] = [:]

    private func hostPath(_ path: String) -> String {
        if let opened = descriptorPaths[path] { return opened }
        let joined = path.hasPrefix("/") ? root + "/" + path : workingDirectory + "/" + path
        var parts: [Substring] = []
        for part in joined.split(separator: "/") where part != "." {
            if part == ".." { _ = parts.popLast() } else { parts.append(part) }
        }
        return "/" + parts.joined(separator: "/")
    }

    // MARK: MountCalls

    func mount(source: String?, target: String, type: String?, flags: Sys.MountFlags, data: String?) throws {
        try record(.mount(.init(source: source, target: target, type: type, flags: flags, data: data)))
    }

    func unmount(_ target: String, detach: Bool) throws { try record(.unmount(target, detach: detach)) }

    func mountFlags(of path: String) throws -> Sys.MountFlags { lockedMountFlags }

    func withPathBeneath<T>(_ relative: String, in base: String, _ body: (String) throws -> T) throws -> T {
        try record(.openBeneath(relative, base: base))
        let path = "/proc/self/fd/\(100 + descriptorPaths.count)"
        descriptorPaths[path] = hostPath(base + "/" + relative)
        return try body(path)
    }

    func moveMount(_ descriptor: Int32, to target: String) throws { try record(.moveMount(descriptor, target: target)) }

    func pivotRoot(newRoot: String, putOld: String) throws {
        try record(.pivotRoot(newRoot: newRoot, putOld: putOld))
        root = hostPath(newRoot)
    }

    func chdir(_ path: String) throws {
        try record(.chdir(path))
        workingDirectory = hostPath(path)
    }

    func chroot(_ path: String) throws {
        try record(.chroot(path))
        root = hostPath(path)
    }

    // MARK: FileCalls

    func pathExists(_ path: String) -> Bool {
        let host = hostPath(path)
        return files.contains(host) || directories.contains(host)
    }

    func isDirectory(_ path: String) -> Bool { directories.contains(hostPath(path)) }

    func isAccessible(_ path: String, _ mode: Int32) -> Bool {
        guard pathExists(path) else { return false }
        return mode == F_OK || executables.contains(hostPath(path)) || isDirectory(path)
    }

    func makeDirectories(_ path: String) throws {
        try record(.makeDirectories(path))
        addDirectory(hostPath(path))
    }

    func makeDirectories(_ path: String, inRoot root: String) throws {
        try makeDirectories(root + "/" + path)
    }

    func createFile(_ path: String) throws {
        try record(.createFile(path))
        addFile(hostPath(path))
    }

    func removeFile(_ path: String) throws {
        try record(.removeFile(path))
        files.remove(hostPath(path))
    }

    func makeSymlink(to target: String, at path: String) throws {
        try record(.makeSymlink(target: target, path: path))
        addFile(hostPath(path))
    }

    func makeNode(_ path: String, mode: mode_t, device: dev_t) throws {
        try record(.makeNode(path, mode: mode, device: device))
        addFile(hostPath(path))
    }

    func changeMode(_ path: String, _ mode: mode_t) throws { try record(.changeMode(path, mode)) }

    func changeOwner(_ path: String, uid: uid_t, gid: gid_t) throws { try record(.changeOwner(path, uid: uid, gid: gid)) }

    // MARK: NamespaceCalls

    func unshare(_ namespaces: Sys.Namespaces) throws { try record(.unshare(namespaces)) }

    func setLoopbackUp() throws { try record(.setLoopbackUp) }

    func setHostname(_ name: String) throws { try record(.setHostname(name)) }

    func joinCgroup(_ procsFiles: [String], container: String) throws { try record(.joinCgroup(procsFiles)) }

    func attachConsole(socket: Int32, container: String) throws { try record(.attachConsole(socket: socket)) }

    func readKernelFile(_ path: String) throws -> String {
        guard let text = kernelFiles[path] else { throw MinipodError.sys("open \(path)", errno: ENOENT) }
        return text
    }

    func writeKernelFile(_ path: String, _ text: String, flags: Int32) throws { try record(.writeKernelFile(path, text)) }

    // MARK: ProcessCalls

    func resourceLimit(_ resource: __rlimit_resource_t) -> rlimit { rlimit(rlim_cur: hardLimit, rlim_max: hardLimit) }

    func setResourceLimit(_ resource: __rlimit_resource_t, _ limit: rlimit) throws {
        try record(.setResourceLimit(resource, soft: UInt64(limit.rlim_cur), hard: UInt64(limit.rlim_max)))
    }

    func setUmask(_ mask: mode_t) { calls.append(.setUmask(mask)) }

    func setKeepCapabilities(_ keep: Bool) { calls.append(.setKeepCapabilities(keep)) }

    func setGroups(_ groups: [gid_t]) throws { try record(.setGroups(groups)) }

    func setGroupID(_ gid: gid_t) throws { try record(.setGroupID(gid)) }

    func setUserID(_ uid: uid_t) throws { try record(.setUserID(uid)) }

    func dropBoundingCapability(_ capability: cap_value_t) throws { try record(.dropBoundingCapability(capability)) }

    func setCapabilities(effective: [cap_value_t], permitted: [cap_value_t], inheritable: [cap_value_t]) throws {
        try record(.setCapabilities(effective: effective, permitted: permitted, inheritable: inheritable))
    }

    func raiseAmbientCapabilities(_ capabilities: [cap_value_t]) { calls.append(.raiseAmbientCapabilities(capabilities)) }

    func setNoNewPrivileges() throws { try record(.setNoNewPrivileges) }

    func loadSeccomp(_ program: SeccompProgram) throws { try record(.loadSeccomp(program)) }

    /// Returns as a failed execve would; 0 (no error) when no failure was asked for.
    func execute(_ path: String, arguments: [String], environment: [String]) -> Int32 {
        let call = RecordedCall.execute(path, arguments: arguments, environment: environment)
        calls.append(call)
        return failures.first { $0.matches(call) }?.errno ?? 0
    }
}
