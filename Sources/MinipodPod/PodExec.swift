import CMinipod
import Foundation
import MinipodCgroups
import MinipodKube
import MinipodOCI
import MinipodRuntime
import MinipodSystem

/// `minipod exec`: runs a command inside a running container with the
/// container's own namespaces, cgroup, user, capabilities and seccomp filter.
public struct PodExec {
    public let paths: PodPaths
    public let store: PodStore

    public init(paths: PodPaths) {
        self.paths = paths
        self.store = PodStore(paths: paths)
    }

    /// Returns the command's exit code.
    public func run(key: String, container: String, command: [String], stdin: Bool, tty: Bool) throws -> Int32 {
        let stdio = ContainerLauncher.Stdio(stdin: stdin && !tty ? 0 : -1, stdout: tty ? -1 : 1, stderr: tty ? -1 : 2)
        return try run(key: key, container: container, command: command, stdio: stdio, tty: tty, forwardInput: stdin)
    }

    /// Starts the command with the given stdio fds and returns init's pid; the caller waits
    /// for it (its exit status is the command's).
    public func start(key: String, container: String, command: [String], stdio: ContainerLauncher.Stdio) throws -> pid_t {
        let target = try target(key: key, container: container, command: command, tty: false)
        return try ContainerLauncher().exec(
            name: container, targetPid: target.pid, spec: target.spec, cgroup: target.cgroup,
            stdio: stdio, seccompCache: target.seccompCache
        ).pid
    }

    /// A command started for a remote client (the API's exec): its pid and this side's
    /// ends of its stdio (pipes, or the terminal's master for all three with a tty).
    public struct Process {
        public let pid: pid_t
        public let stdin: Int32?
        public let stdout: Int32?
        public let stderr: Int32?
        public let terminal: Int32?
    }

    public func startProcess(
        key: String, container: String, command: [String], stdin: Bool, stdout: Bool, stderr: Bool, tty: Bool
    ) throws
        -> Process
    {
        let target = try target(key: key, container: container, command: command, tty: tty)
        if tty {
            let (pid, terminal) = try ContainerLauncher().exec(
                name: container, targetPid: target.pid, spec: target.spec, cgroup: target.cgroup,
                stdio: ContainerLauncher.Stdio(), seccompCache: target.seccompCache)
            return Process(pid: pid, stdin: nil, stdout: nil, stderr: nil, terminal: terminal)
        }
        let pipes = try [stdin, stdout, stderr].map { $0 ? try FDPipe.make() : nil }
        defer {
            pipes.compactMap { $0 }.forEach {
                close($0.read)
                close($0.write)
            }
        }
        let stdio = ContainerLauncher.Stdio(stdin: pipes[0]?.read ?? -1, stdout: pipes[1]?.write ?? -1, stderr: pipes[2]?.write ?? -1)
        let (pid, _) = try ContainerLauncher().exec(
            name: container, targetPid: target.pid, spec: target.spec, cgroup: target.cgroup,
            stdio: stdio, seccompCache: target.seccompCache)
        // This side's ends outlive the defer, which closes the child's and the originals.
        return Process(
            pid: pid, stdin: pipes[0].map { fcntl($0.write, F_DUPFD_CLOEXEC, 0) }, stdout: pipes[1].map { fcntl($0.read, F_DUPFD_CLOEXEC, 0) },
            stderr: pipes[2].map { fcntl($0.read, F_DUPFD_CLOEXEC, 0) }, terminal: nil)
    }

    static let forwardedSignals = [SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2]

    func run(key: String, container: String, command: [String], stdio: ContainerLauncher.Stdio, tty: Bool, forwardInput: Bool) throws -> Int32 {
        let target = try target(key: key, container: container, command: command, tty: tty)
        let (initPid, terminal) = try ContainerLauncher().exec(
            name: container, targetPid: target.pid, spec: target.spec, cgroup: target.cgroup,
            stdio: stdio, seccompCache: target.seccompCache)
        if let terminal {
            TerminalSession(master: terminal, forwardInput: forwardInput).run(until: initPid)
            close(terminal)
        } else {
            // Without a terminal, Ctrl-C or a kill of `minipod exec` reaches the command (through
            // minipod-init, which passes them on too), and we report how it ended.
            try? Signals.forward(Self.forwardedSignals, to: initPid)
        }
        defer { if terminal == nil { Signals.stopForwarding(Self.forwardedSignals) } }
        let status = try Spawn.wait(initPid) ?? .exited(1)
        return status.code
    }

    /// The running container's pid 1, its process spec with `command`, its cgroup and
    /// the seccomp filter compiled when it was created.
    private func target(
        key: String, container: String, command: [String], tty: Bool
    )
        throws -> (pid: pid_t, spec: RuntimeSpec, cgroup: Cgroup, seccompCache: String)
    {
        let runtime = try store.loadRuntime(key)
        guard let info = runtime.containers[container], let pid = info.pid, Signals.isAlive(pid) else {
            throw MinipodError(
                .invalidArgument, "cannot exec into container \(container) in pod \(PodStore.name(fromKey: key)): the container is not running")
        }
        var spec = try JSONDecoder().decode(RuntimeSpec.self, from: Data(try FileIO.readBytes(info.specPath)))
        spec.process?.args = command
        spec.process?.terminal = tty
        if tty, !(spec.process?.env ?? []).contains(where: { $0.hasPrefix("TERM=") }) {
            spec.process?.env?.append("TERM=\(ProcessInfo.processInfo.environment["TERM"] ?? "xterm")")
        }
        return (pid, spec, Cgroup(layout: CgroupLayout.detect(), path: info.cgroup), SeccompCompiler.cachePath(forSpec: info.specPath))
    }
}
