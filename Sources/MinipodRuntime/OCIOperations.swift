import Foundation
import MinipodCgroups
import MinipodOCI
import MinipodSystem

/// The runc verbs on top of the runtime core. Messages follow runc's wording,
/// which tools such as podman and containerd match on.
public struct OCIRuntime {
    public let store: OCIContainerStore
    public var launcher = ContainerLauncher()
    /// Where hook warnings go (the CLI's --log).
    public var warn: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }

    public init(root: String) { store = OCIContainerStore(root: root) }

    public struct CreateRequest {
        public var id: String
        public var bundle: String
        public var pidFile: String?
        public var consoleSocket: String?
        /// `run` with a terminal and no --console-socket: our end of a socketpair.
        public var consoleFD: Int32?
        public init(id: String, bundle: String) {
            self.id = id
            self.bundle = bundle
        }
    }

    @discardableResult
    public func create(_ request: CreateRequest) throws -> OCIContainerRecord {
        let id = request.id
        try OCIContainerStore.validate(id)
        let bundle = try OCIBundle.load(request.bundle, id: id)
        let terminal = bundle.spec.process?.terminal == true
        if terminal && request.consoleSocket == nil && request.consoleFD == nil {
            throw MinipodError(.invalidArgument, "cannot allocate tty if runc will detach without setting console socket")
        }
        if !terminal && request.consoleSocket != nil {
            throw MinipodError(.invalidArgument, "cannot use console socket if runc will not detach or allocate tty")
        }
        let cgroupPath = try OCICgroupPath.resolve(bundle.spec.linux?.cgroupsPath, id: id)
        try store.reserve(id)
        var cgroup: Cgroup?
        var created: CreatedContainer?
        do {
            if mkfifo(store.fifoPath(id), 0o622) != 0 { throw MinipodError.sys("container \(id): mkfifo \(store.fifoPath(id))") }
            // Opened by the container's init, which in a user namespace is its mapped root (as runc).
            if let root = bundle.spec.linux?.hostIDsOfContainerRoot, chown(store.fifoPath(id), root.uid, root.gid) != 0 {
                throw MinipodError.sys("container \(id): chown \(store.fifoPath(id)) to the user namespace's root")
            }
            try FileIO.write(store.configPath(id), String(decoding: bundle.configBytes, as: UTF8.self), mode: 0o600)
            let cg = Cgroup(layout: CgroupLayout.detect(), path: cgroupPath)
            cgroup = cg
            try cg.create(resources: bundle.spec.linux?.resources)
            var console = request.consoleFD
            if let path = request.consoleSocket { console = try OCIPlumbing.connectUnix(path, id: id) }
            defer { if request.consoleSocket != nil, let console { close(console) } }
            let container = try launcher.create(
                name: id, spec: bundle.spec, cgroup: cg, stdio: Self.inheritedStdio(),
                options: .init(startFIFO: store.fifoPath(id), consoleSocket: console))
            created = container
            // runc logs such adjustments as warnings on stderr; so does `minipod oci create`.
            for warning in container.warnings { FileIO.writeAll(2, "warning: \(warning)\n") }
            let record = OCIContainerRecord(
                ociVersion: bundle.spec.ociVersion, id: id, pid: container.pid,
                pidStartTime: ProcessStartTime.of(container.pid) ?? 0, bundle: bundle.path,
                rootfs: bundle.spec.root?.path ?? "", created: RFC3339.now(), cgroupPath: cgroupPath,
                annotations: bundle.spec.annotations)
            try store.save(record)
            if let pidFile = request.pidFile { try OCIPlumbing.writePidFile(pidFile, pid: container.pid) }
            let state = record.state(.created)
            try OCIHooks.run(bundle.hooks?.prestart, phase: "prestart", state: state)
            try OCIHooks.run(bundle.hooks?.createRuntime, phase: "createRuntime", state: state)
            try OCIHooks.run(bundle.hooks?.createContainer, phase: "createContainer", state: state)
            return record
        } catch {
            created?.abort()
            cgroup?.remove()
            try? store.remove(id)
            guard let e = error as? MinipodError, !e.description.contains("container \(id)") else { throw error }
            // Messages from init's setup name the field, not the container: say which container failed.
            throw MinipodError(e.code, "container \(id): " + e.description)
        }
    }

    public func start(_ id: String) throws {
        let record = try store.load(id)
        switch store.status(of: record) {
        case .stopped: throw MinipodError(.invalidArgument, "cannot start a container that has stopped")
        case .running, .paused: throw MinipodError(.invalidArgument, "cannot start an already running container")
        case .created, .creating: break
        }
        let hooks = savedHooks(id)
        try OCIHooks.run(hooks?.startContainer, phase: "startContainer", state: record.state(.created))
        try OCIPlumbing.releaseStart(fifo: store.fifoPath(id), pid: record.pid, id: id)
        unlink(store.fifoPath(id))
        OCIHooks.runWarning(hooks?.poststart, phase: "poststart", state: record.state(.running), warn: warn)
    }

    public func state(_ id: String) throws -> OCIState {
        let record = try store.load(id)
        return record.state(status(of: record))
    }

    /// The store's status, with `paused` for a running container whose cgroup is frozen.
    func status(of record: OCIContainerRecord) -> OCIStatus {
        let status = store.status(of: record)
        return status == .running && cgroup(record).isFrozen ? .paused : status
    }

    /// runc pause: freezes every process of a running container.
    public func pause(_ id: String) throws {
        try store.locked(id) {
            let record = try store.load(id)
            guard status(of: record) == .running else { throw MinipodError(.invalidArgument, "container \(id) is not running") }
            try cgroup(record).freeze(true)
        }
    }

    /// runc resume: thaws a paused container.
    public func resume(_ id: String) throws {
        try store.locked(id) {
            let record = try store.load(id)
            guard status(of: record) == .paused else { throw MinipodError(.invalidArgument, "container \(id) is not paused") }
            try cgroup(record).freeze(false)
        }
    }

    public func list() -> [OCIState] {
        store.ids().compactMap { try? state($0) }
    }

    public func kill(_ id: String, signal: Int32, all: Bool) throws {
        let record = try store.load(id)
        guard store.status(of: record) != .stopped else { throw MinipodError(.invalidArgument, "container not running") }
        if all {
            for pid in cgroup(record).pids { Glibc.kill(pid, signal) }
        } else if Glibc.kill(record.pid, signal) != 0 {
            throw MinipodError.sys("container \(id): kill \(record.pid)")
        }
    }

    public func delete(_ id: String, force: Bool) throws {
        let record: OCIContainerRecord
        do { record = try store.load(id) } catch let e as MinipodError where e.code == .notFound {
            // An aborted create can leave a directory without state: --force clears it, as runc.
            if FileIO.exists(store.directory(id)) { try? store.remove(id) }
            if force { return }
            throw e
        }
        let status = status(of: record)
        if (status == .running || status == .paused) && !force {
            throw MinipodError(.invalidArgument, "cannot delete container \(id) that is not stopped: \(status.rawValue)")
        }
        if status != .stopped { Glibc.kill(record.pid, SIGKILL) }
        let cg = cgroup(record)
        cg.killAll()
        let deadline = Date().addingTimeInterval(5)
        while store.status(of: record) != .stopped && Date() < deadline { usleep(5_000) }
        cg.remove()
        OCIHooks.runWarning(savedHooks(id)?.poststop, phase: "poststop", state: record.state(.stopped), warn: warn)
        try store.remove(id)
    }

    public func pids(_ id: String) throws -> [pid_t] {
        cgroup(try store.load(id)).pids
    }

    /// Starts `process` inside the container; returns the helper's pid (its exit
    /// status is the command's) and, for a terminal, the pty master.
    public func exec(_ id: String, process: RuntimeSpec.Process) throws -> (pid: pid_t, terminal: Int32?) {
        let record = try store.load(id)
        switch status(of: record) {
        case .stopped: throw MinipodError(.invalidArgument, "cannot exec in a stopped container")
        case .paused: throw MinipodError(.invalidArgument, "cannot exec in a paused container (resume it first)")
        default: break
        }
        var spec = try savedSpec(id)
        spec.process = process
        let stdio = process.terminal == true ? ContainerLauncher.Stdio() : Self.inheritedStdio()
        return try launcher.exec(name: id, targetPid: record.pid, spec: spec, cgroup: cgroup(record), stdio: stdio)
    }

    /// runc exec without --process: the container's process with args, tty,
    /// cwd and extra env replaced.
    public static func execProcess(base: RuntimeSpec.Process?, args: [String], tty: Bool, cwd: String?, env: [String]) -> RuntimeSpec.Process {
        var process = base ?? RuntimeSpec.Process()
        process.args = args
        process.terminal = tty
        if let cwd { process.cwd = cwd }
        if !env.isEmpty {
            // A name given again replaces the container's value, as runc does.
            let names = Set(env.map { $0.split(separator: "=", maxSplits: 1).first.map(String.init) ?? $0 })
            process.env = (process.env ?? []).filter { !names.contains($0.split(separator: "=", maxSplits: 1).first.map(String.init) ?? $0) } + env
        }
        return process
    }

    public func savedSpec(_ id: String) throws -> RuntimeSpec {
        var spec = try JSONDecoder().decode(RuntimeSpec.self, from: Data(try FileIO.readBytes(store.configPath(id))))
        if let record = try? store.load(id) {
            spec.root?.path = record.rootfs
            if let resources = record.resources {
                var linux = spec.linux ?? RuntimeSpec.Linux()
                linux.resources = resources
                spec.linux = linux
            }
        }
        return spec
    }

    private func savedHooks(_ id: String) -> OCIHooks? {
        struct HooksOnly: Decodable { var hooks: OCIHooks? }
        guard let bytes = try? FileIO.readBytes(store.configPath(id)) else { return nil }
        return (try? JSONDecoder().decode(HooksOnly.self, from: Data(bytes)))?.hooks
    }

    func cgroup(_ record: OCIContainerRecord) -> Cgroup {
        Cgroup(layout: CgroupLayout.detect(), path: record.cgroupPath)
    }

    /// The container gets our stdio (what conmon and containerd-shim hand us); a closed fd becomes /dev/null.
    static func inheritedStdio() -> ContainerLauncher.Stdio {
        func usable(_ fd: Int32) -> Int32 { fcntl(fd, F_GETFD) >= 0 ? fd : -1 }
        return ContainerLauncher.Stdio(stdin: usable(0), stdout: usable(1), stderr: usable(2))
    }
}
