import CMinipod

#if canImport(Glibc)
    import Glibc
#endif

/// Starts a program with clone()+execve() done in C: a forked copy of a
/// multithreaded Swift process must not run Swift code.
public struct SpawnRequest {
    public var path: String
    public var arguments: [String]  // argv, including argv[0]
    public var environment: [String]
    public var stdin: Int32 = -1  // -1: /dev/null
    public var stdout: Int32 = -1
    public var stderr: Int32 = -1
    public var extraFDs: [Int32] = []  // become 3, 4, ... in the child
    public var namespaces: Sys.Namespaces = []
    public var newSession = false
    public var parentDeathSignal: Int32 = 0
    public var workingDirectory: String? = nil
    /// Namespaces joined before execve, in order (a user namespace first, a mount namespace last).
    public var joins: [NamespaceJoin] = []
    /// Exec this open file (O_PATH) instead of looking `path` up: a joined mount namespace may not have it.
    public var executableFD: Int32 = -1
    /// With `.user` in `namespaces`: the maps the parent writes before the child goes on ("0 100000 65536\n").
    public var uidMap: String? = nil
    public var gidMap: String? = nil

    public init(path: String, arguments: [String], environment: [String]) {
        self.path = path
        self.arguments = arguments
        self.environment = environment
    }
}

/// An open namespace file to join, and where it came from (for error messages).
public struct NamespaceJoin {
    public var fd: Int32
    public var type: Sys.Namespaces
    public var path: String
    public init(fd: Int32, type: Sys.Namespaces, path: String) {
        self.fd = fd
        self.type = type
        self.path = path
    }
}

public enum Spawn {
    public static func start(_ r: SpawnRequest) throws -> pid_t {
        var argv: [UnsafeMutablePointer<CChar>?] = r.arguments.map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = r.environment.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var err: Int32 = 0
        var step: Int32 = 0
        let joinFDs = r.joins.map(\.fd)
        let joinTypes = r.joins.map { Int32(bitPattern: UInt32(truncatingIfNeeded: $0.type.rawValue)) }
        let pid: pid_t = r.extraFDs.withUnsafeBufferPointer { fds in
            argv.withUnsafeMutableBufferPointer { a in
                envp.withUnsafeMutableBufferPointer { e in
                    r.path.withCString { path in
                        withOptionalCString(r.workingDirectory) { cwd in
                            withOptionalCString(r.uidMap) { uidMap in
                                withOptionalCString(r.gidMap) { gidMap in
                                    joinFDs.withUnsafeBufferPointer { jf in
                                        joinTypes.withUnsafeBufferPointer { jt in
                                            var attr = mp_spawn_attr(
                                                path: path, argv: a.baseAddress, envp: e.baseAddress,
                                                stdin_fd: r.stdin, stdout_fd: r.stdout, stderr_fd: r.stderr,
                                                extra_fds: fds.baseAddress, n_extra_fds: Int32(fds.count),
                                                clone_flags: r.namespaces.rawValue, new_session: r.newSession ? 1 : 0,
                                                pdeathsig: r.parentDeathSignal, cwd: cwd,
                                                join_fds: jf.baseAddress, join_types: jt.baseAddress, n_joins: Int32(jf.count),
                                                exec_fd: r.executableFD, uid_map: uidMap, gid_map: gidMap)
                                            return mp_spawn(&attr, &err, &step)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if pid < 0 { throw MinipodError.sys(Self.describe(step: step, of: r), errno: err) }
        return pid
    }

    private static func describe(step: Int32, of r: SpawnRequest) -> String {
        if step >= 0 && Int(step) < r.joins.count {
            let join = r.joins[Int(step)]
            return "join \(join.type.procName) namespace \(join.path)"
        }
        switch step {
        case Int32(MP_STEP_USERNS): return "create the user namespace for \(r.path)"
        case Int32(MP_STEP_ID_MAPS): return "write the uid/gid maps of the user namespace (linux.uidMappings/gidMappings)"
        case Int32(MP_STEP_UNSHARE): return "create the mount/pid namespaces inside the user namespace"
        default: return "start \(r.path)"
        }
    }

    /// waitpid that retries on EINTR.
    public static func wait(_ pid: pid_t, options: Int32 = 0) throws -> ExitStatus? {
        var status: Int32 = 0
        while true {
            let rc = waitpid(pid, &status, options)
            if rc == pid { return ExitStatus(waitStatus: status) }
            if rc == 0 { return nil }
            if errno == EINTR { continue }
            throw MinipodError.sys("waitpid \(pid)")
        }
    }

    /// Runs a host program to completion, capturing stdout (for iptables, CNI plugins, ...).
    public static func run(
        _ path: String, _ args: [String], environment: [String]? = nil, input: [UInt8] = []
    ) throws -> (status: ExitStatus, stdout: [UInt8], stderr: [UInt8]) {
        let inPipe = try FDPipe.make()
        let outPipe = try FDPipe.make()
        let errPipe = try FDPipe.make()
        var req = SpawnRequest(path: path, arguments: [path] + args, environment: environment ?? Environment.current())
        req.stdin = inPipe.read
        req.stdout = outPipe.write
        req.stderr = errPipe.write
        let pid: pid_t
        do { pid = try start(req) } catch {
            [inPipe.read, inPipe.write, outPipe.read, outPipe.write, errPipe.read, errPipe.write].forEach { close($0) }
            throw error
        }
        close(inPipe.read)
        close(outPipe.write)
        close(errPipe.write)
        // Small inputs (CNI configs) fit the pipe buffer; write then close so the child sees EOF.
        _ = input.withUnsafeBytes { FileIO.writeAll(inPipe.write, $0) }
        close(inPipe.write)
        var out: [UInt8] = []
        var errOut: [UInt8] = []
        var fds = [pollfd(fd: outPipe.read, events: Int16(POLLIN), revents: 0), pollfd(fd: errPipe.read, events: Int16(POLLIN), revents: 0)]
        var open = 2
        var buf = [UInt8](repeating: 0, count: 65536)
        while open > 0 {
            if poll(&fds, 2, -1) < 0 {
                if errno == EINTR { continue }
                break
            }
            for i in 0..<2 where fds[i].fd >= 0 && fds[i].revents != 0 {
                let n = read(fds[i].fd, &buf, buf.count)
                if n > 0 {
                    if i == 0 { out += buf[0..<n] } else { errOut += buf[0..<n] }
                } else if n == 0 || errno != EINTR {
                    close(fds[i].fd)
                    fds[i].fd = -1
                    open -= 1
                }
            }
        }
        let status = try wait(pid) ?? .exited(-1)
        return (status, out, errOut)
    }
}

public enum Environment {
    public static func current() -> [String] {
        var result: [String] = []
        var p = environ
        while let entry = p.pointee {
            result.append(String(cString: entry))
            p += 1
        }
        return result
    }
}

func withOptionalCString<R>(_ s: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
    guard let s else { return body(nil) }
    return s.withCString { body($0) }
}
