import CCap
import CMinipod
import Glibc
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

    public init(process: RuntimeSpec.Process, seccomp: SeccompProgram?, container: String, faultPoint: String?) {
        self.process = process
        self.seccomp = seccomp
        self.container = container
        self.faultPoint = faultPoint
    }

    /// Steps that may fail for reasons the user must hear about before "start".
    public func prepare() throws {
        try setRlimits()
        if chdir(process.cwd) != 0 {
            let e = errno
            throw LaunchError(message: "container \(container): chdir to cwd \"\(process.cwd)\": \(String(cString: strerror(e)))", exitCode: 1)
        }
        _ = try resolveExecutable()
        // An unknown capability name must fail create, not the process after start.
        if let caps = process.capabilities {
            for (names, set) in [(caps.bounding, "bounding"), (caps.effective, "effective"), (caps.inheritable, "inheritable"),
                                 (caps.permitted, "permitted"), (caps.ambient, "ambient")] {
                _ = try capValues(names ?? [], set: set)
            }
        }
    }

    public func exec() throws -> Never {
        let path = try resolveExecutable()
        if let umask = process.user.umask { Glibc.umask(mode_t(umask)) }
        if let adj = process.oomScoreAdj { try? FileIO.write("/proc/self/oom_score_adj", String(adj), flags: O_WRONLY) }
        // Without no_new_privs the kernel takes a filter only from a process holding
        // CAP_SYS_ADMIN: load it before the capabilities go (runc's order); with it, last.
        let seccompFirst = process.noNewPrivileges != true
        if seccompFirst, let seccomp { try load(seccomp) }
        // Needs CAP_SETPCAP in the effective set, which setuid to a non-root user clears.
        try dropBoundingSet()
        try switchUser()
        try applyCapabilities()
        if process.noNewPrivileges == true { try Sys.setNoNewPrivileges() }
        if !seccompFirst, let seccomp { try load(seccomp) }
        // Test hook: stopped here, the process has the container's identity but is still minipod-init.
        if faultPoint == "init-stop-before-execve" { raise(SIGSTOP) }
        let env = process.env ?? []
        var argv: [UnsafeMutablePointer<CChar>?] = process.args.map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup($0) } + [nil]
        execve(path, &argv, &envp)
        let e = errno
        throw LaunchError(message: "container \(container): exec \(path): \(String(cString: strerror(e)))", exitCode: e == ENOENT ? 127 : 126)
    }

    private func load(_ program: SeccompProgram) throws {
        let rc = program.instructions.withUnsafeBytes { mp_seccomp_load($0.baseAddress, $0.count, program.flags) }
        if rc != 0 { throw MinipodError.sys("container \(container): load seccomp filter") }
    }

    /// PATH lookup as runc does, in the container's view of the filesystem.
    func resolveExecutable() throws -> String {
        let name = process.args[0]
        if name.contains("/") {
            try checkExecutable(name, shownAs: name)
            return name
        }
        let pathVar = (process.env ?? []).last { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) }
            ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        for dir in pathVar.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if access(candidate, X_OK) == 0 && !FileIO.isDirectory(candidate) { return candidate }
        }
        throw LaunchError(message: "container \(container): exec: \"\(name)\": executable file not found in $PATH", exitCode: 127)
    }

    private func checkExecutable(_ path: String, shownAs: String) throws {
        if access(path, F_OK) != 0 {
            throw LaunchError(message: "container \(container): exec: \"\(shownAs)\": stat \(shownAs): no such file or directory", exitCode: 127)
        }
        if FileIO.isDirectory(path) || access(path, X_OK) != 0 {
            throw LaunchError(message: "container \(container): exec: \"\(shownAs)\": permission denied", exitCode: 126)
        }
    }

    private func setRlimits() throws {
        for limit in process.rlimits ?? [] {
            guard let resource = rlimitResource(limit.type) else {
                throw MinipodError(.runtime, "process.rlimits: unknown type \(limit.type)")
            }
            // Never ask for more than the hard limit we hold: root cannot raise it here.
            var current = rlimit()
            getrlimit(resource, &current)
            let hard = min(limit.hard, UInt64(current.rlim_max))
            var value = rlimit(rlim_cur: rlim_t(min(limit.soft, hard)), rlim_max: rlim_t(hard))
            if setrlimit(resource, &value) != 0 { throw MinipodError.sys("setrlimit \(limit.type)") }
        }
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
        _ = mp_set_keepcaps(1)
        var groups = (user.additionalGids ?? []).map { gid_t($0) }
        if setgroups(groups.count, &groups) != 0 { throw MinipodError.sys("setgroups") }
        if setgid(user.gid) != 0 { throw MinipodError.sys("setgid \(user.gid)") }
        if setuid(user.uid) != 0 { throw MinipodError.sys("setuid \(user.uid)") }
        _ = mp_set_keepcaps(0)
    }

    private func dropBoundingSet() throws {
        guard let caps = process.capabilities else { return }
        let lastCap = Int32((try? FileIO.readString("/proc/sys/kernel/cap_last_cap")).flatMap { Int32($0.filter(\.isNumber)) } ?? 40)
        let bounding = try capValues(caps.bounding ?? [], set: "bounding")
        for cap in 0...lastCap where !bounding.contains(cap_value_t(cap)) {
            if cap_drop_bound(cap_value_t(cap)) != 0 { throw MinipodError.sys("drop capability \(cap) from bounding set") }
        }
    }

    private func applyCapabilities() throws {
        guard let caps = process.capabilities else { return }
        guard let state = cap_init() else { throw MinipodError.sys("cap_init") }
        defer { cap_free(UnsafeMutableRawPointer(state)) }
        for (names, flag, label) in [(caps.effective, CAP_EFFECTIVE, "effective"), (caps.permitted, CAP_PERMITTED, "permitted"),
                                     (caps.inheritable, CAP_INHERITABLE, "inheritable")] {
            var values = try capValues(names ?? [], set: label)
            if !values.isEmpty && cap_set_flag(state, flag, Int32(values.count), &values, CAP_SET) != 0 {
                throw MinipodError.sys("cap_set_flag \(label)")
            }
        }
        if cap_set_proc(state) != 0 { throw MinipodError.sys("cap_set_proc") }
        _ = cap_reset_ambient()
        // The kernel refuses an ambient cap missing from inheritable (EPERM); runc ignores
        // that, and `runc spec` bundles rely on it (ambient listed, inheritable not).
        for value in try capValues(caps.ambient ?? [], set: "ambient") {
            _ = cap_set_ambient(value, CAP_SET)
        }
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
