import CCap
import Glibc
import MinipodInitProtocol
import MinipodOCI
import MinipodSystem

/// A failure with the exit code runc gives for it (127 not found, 126 not executable).
public struct LaunchError: Error, CustomStringConvertible {
    public let message: String
    public let exitCode: Int32
    public var description: String { message }
}

/// Turns process.* of the spec into the calling process's identity, then execs.
/// Order (as runc/crun): rlimits, user, capabilities, no_new_privs, seccomp last.
public struct Launch {
    let process: RuntimeSpec.Process
    let seccomp: SeccompProgram?
    let container: String
    /// Test hook named by the launcher's MINIPOD_FAULT (InitConfig.faultPoint).
    let faultPoint: String?
    let syscalls: any Syscalls
    /// What prepare() changed from the spec and the launcher should hear about
    /// (a limit lowered to what the host allows); sent with "ready".
    public private(set) var warnings: [String] = []

    public init(
        process: RuntimeSpec.Process, seccomp: SeccompProgram?, container: String, faultPoint: String?,
        syscalls: any Syscalls = LinuxSyscalls()
    ) {
        self.process = process
        self.seccomp = seccomp
        self.container = container
        self.faultPoint = faultPoint
        self.syscalls = syscalls
    }

    /// Steps that may fail for reasons the user must hear about before "start".
    public mutating func prepare() throws {
        warnings += try setRlimits()
        do { try syscalls.chdir(process.cwd) } catch let e as MinipodError {
            throw LaunchError(
                message: "container \(container): chdir to cwd \"\(process.cwd)\": \(String(cString: strerror(e.errno ?? 0)))", exitCode: 1)
        }
        _ = try resolveExecutable()
        // An unknown capability name must fail create, not the process after start.
        if let caps = process.capabilities {
            for (names, set) in [
                (caps.bounding, "bounding"), (caps.effective, "effective"), (caps.inheritable, "inheritable"),
                (caps.permitted, "permitted"), (caps.ambient, "ambient"),
            ] {
                _ = try capValues(names ?? [], set: set)
            }
        }
    }

    public func exec() throws -> Never {
        let path = try resolveExecutable()
        if let umask = process.user.umask { syscalls.setUmask(mode_t(umask)) }
        if let adj = process.oomScoreAdj { try? syscalls.writeKernelFile("/proc/self/oom_score_adj", String(adj), flags: O_WRONLY) }
        // Without no_new_privs the kernel takes a filter only from a process holding
        // CAP_SYS_ADMIN: load it before the capabilities go (runc's order); with it, last.
        let seccompFirst = process.noNewPrivileges != true
        if seccompFirst, let seccomp { try load(seccomp) }
        // Needs CAP_SETPCAP in the effective set, which setuid to a non-root user clears.
        try dropBoundingSet()
        try switchUser()
        try applyCapabilities()
        if process.noNewPrivileges == true { try syscalls.setNoNewPrivileges() }
        if !seccompFirst, let seccomp { try load(seccomp) }
        // Test hook: stopped here, the process has the container's identity but is still minipod-init.
        if faultPoint == "init-stop-before-execve" { raise(SIGSTOP) }
        let e = syscalls.execute(path, arguments: process.args, environment: process.env ?? [])
        throw LaunchError(message: "container \(container): exec \(path): \(String(cString: strerror(e)))", exitCode: e == ENOENT ? 127 : 126)
    }

    private func load(_ program: SeccompProgram) throws {
        try reported(as: "container \(container): load seccomp filter") { try syscalls.loadSeccomp(program) }
    }

    /// PATH lookup as runc does, in the container's view of the filesystem.
    func resolveExecutable() throws -> String {
        let name = process.args[0]
        if name.contains("/") {
            try checkExecutable(name, shownAs: name)
            return name
        }
        let pathVar =
            (process.env ?? []).last { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) }
            ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        for dir in pathVar.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if syscalls.isAccessible(candidate, X_OK) && !syscalls.isDirectory(candidate) { return candidate }
        }
        throw LaunchError(message: "container \(container): exec: \"\(name)\": executable file not found in $PATH", exitCode: 127)
    }

    private func checkExecutable(_ path: String, shownAs: String) throws {
        if !syscalls.isAccessible(path, F_OK) {
            throw LaunchError(message: "container \(container): exec: \"\(shownAs)\": stat \(shownAs): no such file or directory", exitCode: 127)
        }
        if syscalls.isDirectory(path) || !syscalls.isAccessible(path, X_OK) {
            throw LaunchError(message: "container \(container): exec: \"\(shownAs)\": permission denied", exitCode: 126)
        }
    }

    private func setRlimits() throws -> [String] {
        var warnings: [String] = []
        for limit in process.rlimits ?? [] {
            guard let resource = rlimitResource(limit.type) else {
                throw MinipodError(.runtime, "process.rlimits: unknown type \(limit.type)")
            }
            // Never ask for more than the hard limit we hold: root cannot raise it here.
            let current = syscalls.resourceLimit(resource)
            let hard = min(limit.hard, UInt64(current.rlim_max))
            if hard < limit.hard {
                warnings.append(
                    "container \(container): process.rlimits \(limit.type): hard limit \(limit.hard) lowered to \(hard), the most this host allows")
            }
            let value = rlimit(rlim_cur: rlim_t(min(limit.soft, hard)), rlim_max: rlim_t(hard))
            try reported(as: "setrlimit \(limit.type)") { try syscalls.setResourceLimit(resource, value) }
        }
        return warnings
    }

    private func rlimitResource(_ name: String) -> __rlimit_resource_t? {
        let table: [String: __rlimit_resource] = [
            "RLIMIT_NOFILE": RLIMIT_NOFILE, "RLIMIT_NPROC": __RLIMIT_NPROC, "RLIMIT_CORE": RLIMIT_CORE,
            "RLIMIT_STACK": RLIMIT_STACK, "RLIMIT_AS": RLIMIT_AS, "RLIMIT_CPU": RLIMIT_CPU,
            "RLIMIT_DATA": RLIMIT_DATA, "RLIMIT_FSIZE": RLIMIT_FSIZE, "RLIMIT_MEMLOCK": __RLIMIT_MEMLOCK,
            "RLIMIT_MSGQUEUE": __RLIMIT_MSGQUEUE, "RLIMIT_NICE": __RLIMIT_NICE, "RLIMIT_RTPRIO": __RLIMIT_RTPRIO,
            "RLIMIT_RTTIME": __RLIMIT_RTTIME, "RLIMIT_SIGPENDING": __RLIMIT_SIGPENDING, "RLIMIT_LOCKS": __RLIMIT_LOCKS,
        ]
        return table[name].map { __rlimit_resource_t($0.rawValue) }
    }

    private func switchUser() throws {
        let user = process.user
        // Keep permitted capabilities across setuid; applyCapabilities sets the final sets.
        syscalls.setKeepCapabilities(true)
        try syscalls.setGroups((user.additionalGids ?? []).map { gid_t($0) })
        try syscalls.setGroupID(user.gid)
        try syscalls.setUserID(user.uid)
        syscalls.setKeepCapabilities(false)
    }

    private func dropBoundingSet() throws {
        guard let caps = process.capabilities else { return }
        let lastCap = Int32((try? syscalls.readKernelFile("/proc/sys/kernel/cap_last_cap")).flatMap { Int32($0.filter(\.isNumber)) } ?? 40)
        let bounding = try capValues(caps.bounding ?? [], set: "bounding")
        for cap in 0...lastCap where !bounding.contains(cap_value_t(cap)) {
            try syscalls.dropBoundingCapability(cap_value_t(cap))
        }
    }

    private func applyCapabilities() throws {
        guard let caps = process.capabilities else { return }
        try syscalls.setCapabilities(
            effective: try capValues(caps.effective ?? [], set: "effective"),
            permitted: try capValues(caps.permitted ?? [], set: "permitted"),
            inheritable: try capValues(caps.inheritable ?? [], set: "inheritable"))
        // The kernel refuses an ambient cap missing from inheritable (EPERM); runc ignores
        // that, and `runc spec` bundles rely on it (ambient listed, inheritable not).
        syscalls.raiseAmbientCapabilities(try capValues(caps.ambient ?? [], set: "ambient"))
    }

    private func capValues(_ names: [String], set: String) throws -> [cap_value_t] {
        try names.compactMap { name in
            var value: cap_value_t = 0
            if cap_from_name(name, &value) != 0 {
                throw MinipodError(.runtime, "process.capabilities.\(set): unknown capability \(name)")
            }
            return value
        }
    }
}
