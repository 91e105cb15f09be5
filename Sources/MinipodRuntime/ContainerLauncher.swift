import CMinipod
import Foundation
import MinipodCgroups
import MinipodInitProtocol
import MinipodOCI
import MinipodSystem

/// Where minipod-init lives: beside the running minipod binary.
public enum InitBinary {
    public static var path: String {
        if let override = ProcessInfo.processInfo.environment["MINIPOD_INIT"] { return override }
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return (exe as NSString).deletingLastPathComponent + "/minipod-init"
    }
}

/// A created (not yet started) container: its init waits for "start".
public final class CreatedContainer {
    public let pid: pid_t
    public let name: String
    private var socket: Int32
    /// What minipod-init changed from the spec while it set the container up.
    public internal(set) var warnings: [String] = []

    init(pid: pid_t, name: String, socket: Int32) {
        self.pid = pid
        self.name = name
        self.socket = socket
    }

    /// Sends "start" and waits until execve happened (the socket closes) or fails.
    public func start() throws {
        defer {
            close(socket)
            socket = -1
        }
        do { try Message.send(socket, [1]) } catch {
            // Its init is gone (or going): reap it rather than leave a zombie behind.
            kill(pid, SIGKILL)
            _ = try? Spawn.wait(pid)
            throw MinipodError(.runtime, "container \(name) failed to start: its init exited before start")
        }
        if let bytes = try Message.receive(socket) {
            let report = try? JSONDecoder().decode(InitReport.self, from: Data(bytes))
            _ = try? Spawn.wait(pid)
            throw MinipodError(.runtime, report?.message ?? "container \(name) failed to start")
        }
    }

    /// Gives up on a created container: its init exits when the socket closes.
    public func abort() {
        if socket >= 0 {
            close(socket)
            socket = -1
        }
        kill(pid, SIGKILL)
        _ = try? Spawn.wait(pid)
    }

    deinit { if socket >= 0 { close(socket) } }
}

/// Runs minipod-init for a spec: the host side of container creation.
public struct ContainerLauncher {
    public var initPath: String
    /// A directory of compiled seccomp filters shared by containers with the same profile.
    public var sharedSeccompCache: String?

    public init(initPath: String = InitBinary.path, sharedSeccompCache: String? = nil) {
        self.initPath = initPath
        self.sharedSeccompCache = sharedSeccompCache
    }

    public struct Stdio {
        public var stdin: Int32 = -1, stdout: Int32 = -1, stderr: Int32 = -1
        public init(stdin: Int32 = -1, stdout: Int32 = -1, stderr: Int32 = -1) {
            self.stdin = stdin
            self.stdout = stdout
            self.stderr = stderr
        }
    }

    /// What only the OCI CLI asks of create (pods leave both nil).
    public struct CreateOptions {
        /// exec.fifo path: init waits on it instead of on the socket for "start".
        public var startFIFO: String?
        /// A connected --console-socket; init sends the pty master over it.
        public var consoleSocket: Int32?
        public init(startFIFO: String? = nil, consoleSocket: Int32? = nil) {
            self.startFIFO = startFIFO
            self.consoleSocket = consoleSocket
        }
    }

    /// Spawns minipod-init in the namespaces of the spec (NamespacePlan says who makes
    /// which); it joins the cgroup; sends the config; waits for "ready".
    /// seccompCache: where to keep the compiled seccomp filter for later `exec`s.
    public func create(
        name: String, spec: RuntimeSpec, cgroup: Cgroup?, stdio: Stdio,
        options: CreateOptions = CreateOptions(), seccompCache: String? = nil
    ) throws -> CreatedContainer {
        guard FileIO.exists(initPath) else {
            throw MinipodError(.notFound, "minipod-init not found at \(initPath); build it with `make build`")
        }
        let plan = try NamespacePlan(spec: spec, container: name)
        var joins: [NamespaceJoin] = []
        defer { joins.forEach { close($0.fd) } }
        for (type, path) in plan.joins {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            if fd < 0 { throw MinipodError.sys("container \(name): open the \(type.procName) namespace to join, \(path)") }
            joins.append(NamespaceJoin(fd: fd, type: type, path: path))
        }
        // Exec'd through an fd: a joined mount namespace need not have the host's path to it.
        let initFD = open(initPath, MP_O_PATH | O_CLOEXEC)
        if initFD < 0 { throw MinipodError.sys("open \(initPath)") }
        defer { close(initFD) }
        var rootfsMount: Int32? = nil
        if let userNamespace = plan.joinedUserNamespace, let overlay = spec.annotations?[MinipodAnnotations.overlayRootfs] {
            rootfsMount = try IDMappedRootfs.make(try IDMappedRootfs.layers(fromOverlayOptions: overlay), userNamespace: userNamespace)
        }
        defer { rootfsMount.map { _ = close($0) } }
        let pair = try SocketPair.make()
        var request = SpawnRequest(path: initPath, arguments: ["minipod-init", name], environment: [])
        request.stdin = stdio.stdin
        request.stdout = stdio.stdout
        request.stderr = stdio.stderr
        request.extraFDs = [pair.child] + (options.consoleSocket.map { [$0] } ?? []) + (rootfsMount.map { [$0] } ?? [])
        request.namespaces = plan.spawnCreates
        request.joins = joins
        request.executableFD = initFD
        request.uidMap = plan.uidMap
        request.gidMap = plan.gidMap
        request.newSession = true
        let pid: pid_t
        do { pid = try Spawn.start(request) } catch let e as MinipodError {
            close(pair.parent)
            close(pair.child)
            throw e.wrapped("container \(name)")
        }
        close(pair.child)
        let created = CreatedContainer(pid: pid, name: name, socket: pair.parent)
        do {
            var config = InitConfig(mode: .create, spec: spec, name: name)
            if plan.parentJoinsCgroup {
                try CgroupJoin.join(cgroup?.procsFiles ?? [], pid: pid, container: name)
            } else {
                // init joins it itself, first thing (CgroupJoin says why).
                config.cgroupProcs = cgroup?.procsFiles
            }
            config.startFIFO = options.startFIFO
            config.consoleSocketFD = options.consoleSocket == nil ? nil : 4  // extraFDs start at 3
            if rootfsMount != nil { config.rootfsMountFD = Int32(3 + request.extraFDs.count - 1) }
            try send(config, seccompCache: seccompCache, to: pair.parent)
            guard let bytes = try Message.receive(pair.parent) else {
                throw MinipodError(.runtime, "container \(name): init exited during setup")
            }
            let report = try JSONDecoder().decode(InitReport.self, from: Data(bytes))
            if report.kind != .ready {
                // init's message already ends with strerror(errno): keep errno out of the text a second time.
                throw MinipodError(.runtime, report.message ?? "container \(name): setup failed", errno: report.message == nil ? report.errno : nil)
            }
            created.warnings = report.warnings ?? []
        } catch {
            created.abort()
            throw error
        }
        return created
    }

    /// Starts `spec.process` inside the running container whose pid 1 is `targetPid`.
    /// Returns init's pid (its exit status is the command's) and, with a terminal, the pty master.
    /// seccompCache: the filter compiled when the container was created (compiled now if absent).
    public func exec(
        name: String, targetPid: pid_t, spec: RuntimeSpec, cgroup: Cgroup?, stdio: Stdio,
        seccompCache: String? = nil
    ) throws -> (pid: pid_t, terminal: Int32?) {
        let pair = try SocketPair.make()
        var request = SpawnRequest(path: initPath, arguments: ["minipod-init", "exec", name], environment: [])
        request.stdin = stdio.stdin
        request.stdout = stdio.stdout
        request.stderr = stdio.stderr
        request.extraFDs = [pair.child]
        let pid: pid_t
        do { pid = try Spawn.start(request) } catch {
            close(pair.parent)
            close(pair.child)
            throw error
        }
        close(pair.child)
        defer { close(pair.parent) }
        var config = InitConfig(mode: .exec, spec: spec, name: name)
        config.targetPid = targetPid
        config.cgroupProcs = cgroup?.procsFiles
        try send(config, seccompCache: seccompCache, to: pair.parent)
        var terminal: Int32? = nil
        if spec.process?.terminal == true {
            var buf = [UInt8](repeating: 0, count: Message.maxSize)
            var got = 0
            let fd = mp_recv_fd_swift(pair.parent, &buf, &got)
            if fd >= 0 {
                terminal = fd
            } else if got > 0 {
                let report = try? JSONDecoder().decode(InitReport.self, from: Data(buf[0..<got]))
                _ = try? Spawn.wait(pid)
                throw MinipodError(.runtime, report?.message ?? "exec into \(name) failed")
            } else {
                _ = try? Spawn.wait(pid)
                throw MinipodError(.runtime, "exec into \(name) failed: init exited")
            }
        }
        guard let bytes = try Message.receive(pair.parent) else {
            _ = try? Spawn.wait(pid)
            throw MinipodError(.runtime, "exec into \(name) failed: init exited")
        }
        let report = try JSONDecoder().decode(InitReport.self, from: Data(bytes))
        if report.kind == .error {
            _ = try? Spawn.wait(pid)
            if let t = terminal { close(t) }
            throw ExecFailure(message: report.message ?? "exec failed", exitCode: report.exitCode ?? 1)
        }
        // After "pid", a later error report (exec failure in the child) arrives as a message too;
        // the caller reads the exit status from waitpid.
        return (pid, terminal)
    }

    /// The config, then (with a seccomp section) the compiled filter as a second message.
    private func send(_ config: InitConfig, seccompCache: String?, to socket: Int32) throws {
        var config = config
        config.faultPoint = FaultInjection.requested
        var program: SeccompProgram?
        if let profile = config.spec.linux?.seccomp {
            program = try SeccompCompiler.program(for: profile, cachePath: seccompCache, sharedCache: sharedSeccompCache)
            config.seccompFlags = program?.flags
            // init loads the compiled filter and never reads the profile: hundreds of
            // syscall names need not be encoded here and decoded there on every exec.
            config.spec.linux?.seccomp = nil
        }
        try Message.send(socket, Array(try JSONEncoder().encode(config)))
        if let program { try Message.send(socket, program.instructions) }
    }
}

/// exec failed before the command ran; exitCode follows runc (126/127).
public struct ExecFailure: Error, CustomStringConvertible {
    public let message: String
    public let exitCode: Int32
    public var description: String { message }
}
