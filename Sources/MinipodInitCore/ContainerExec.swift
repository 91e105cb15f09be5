import Glibc
import MinipodInitProtocol
import MinipodOCI
import MinipodSystem

/// exec mode: join a running container's cgroup and namespaces, then fork the
/// command (a pid namespace only applies to children) and wait for it, passing
/// on the signals the caller gets (runc exec does), so the caller sees its
/// exit status as ours.
public struct ContainerExec {
    let config: InitConfig
    let seccomp: SeccompProgram?
    /// Where the launcher hears from us (the terminal's master is sent there).
    let syncSocket: Int32
    let syscalls: any Syscalls

    /// Joined in this order: the user namespace first (it grants the rights to join the
    /// others), the mount namespace last, because /proc/<pid> must still be the host's
    /// while the others are opened.
    static let order: [Sys.Namespaces] = [.user, .ipc, .uts, .net, .pid, .cgroup, .time, .mount]
    /// What `runc exec` passes on to its process.
    public static let forwardedSignals = [SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGWINCH, SIGUSR1, SIGUSR2]
    /// Our exit code when the command's status cannot be known (waitpid failed).
    public static let statusLostExitCode: Int32 = 255

    public init(config: InitConfig, seccomp: SeccompProgram?, syncSocket: Int32, syscalls: any Syscalls = LinuxSyscalls()) {
        self.config = config
        self.seccomp = seccomp
        self.syncSocket = syncSocket
        self.syscalls = syscalls
    }

    /// Who returns from run, and with what to exit.
    public enum Outcome: Equatable {
        /// The caller's process, once the command ended: exit with its code.
        case commandEnded(exitCode: Int32)
        /// The forked child, whose exec of the command failed: exit with this code.
        case execFailed(exitCode: Int32)
    }

    /// `reportPid` tells the launcher the command's pid once it is forked.
    public func run(reportPid: (pid_t) -> Void) throws -> Outcome {
        guard let target = config.targetPid, let process = config.spec.process, !process.args.isEmpty else {
            throw MinipodError(.runtime, "exec: missing target or command")
        }
        try syscalls.joinCgroup(config.cgroupProcs ?? [], container: config.name)
        // A container without a mount namespace of its own was only chroot'ed: so are we.
        guard let targetRoot = try syscalls.openProcEntry("/proc/\(target)/root", directory: true) else { throw notRunning }
        defer { syscalls.closeDescriptor(targetRoot) }
        let sharesMountNamespace = try join(target)
        if sharesMountNamespace { try syscalls.chrootInto(targetRoot, container: config.name) }

        var terminal: (master: Int32, peer: String)?
        if process.terminal == true {
            let opened = try syscalls.openTerminal(container: config.name)
            terminal = opened
            try syscalls.sendDescriptor(opened.master, over: syncSocket)
        }
        var launch = Launch(process: process, seccomp: seccomp, container: config.name, faultPoint: config.faultPoint, syscalls: syscalls)
        // Checked here, before the fork, so a missing command comes back to the caller as a report.
        try launch.prepare()
        for warning in launch.warnings { FileIO.writeAll(2, "minipod-init: warning: \(warning)\n") }
        let pid = try syscalls.forkForwarding(Self.forwardedSignals)
        if pid == 0 { return execute(launch, terminal: terminal) }
        if let master = terminal?.master { syscalls.closeDescriptor(master) }
        reportPid(pid)
        do {
            return .commandEnded(exitCode: try syscalls.waitForExit(pid).code)
        } catch {
            FileIO.writeAll(2, "minipod-init: the command's exit status is lost: \(error)\n")
            return .commandEnded(exitCode: Self.statusLostExitCode)
        }
    }

    private var notRunning: MinipodError { MinipodError(.notFound, "container \(config.name) is not running") }

    /// setns into each of the target's namespaces we are not in yet; true when the
    /// mount namespace is already ours (the container has none of its own).
    private func join(_ target: Int32) throws -> Bool {
        var opened: [(Sys.Namespaces, Int32)] = []
        defer { opened.forEach { syscalls.closeDescriptor($0.1) } }
        var sharesMountNamespace = false
        for namespace in Self.order {
            let path = "/proc/\(target)/ns/\(namespace.procName)"
            // Joining the namespace we are in is refused (user) or resets root and cwd (mount).
            if let theirs = syscalls.namespaceID(path), theirs == syscalls.namespaceID("/proc/self/ns/\(namespace.procName)") {
                if namespace == .mount { sharesMountNamespace = true }
                continue
            }
            guard let fd = try syscalls.openProcEntry(path, directory: false) else {
                if namespace == .time { continue }  // a kernel without time namespaces
                throw notRunning
            }
            opened.append((namespace, fd))
        }
        guard syscalls.threadCount() == 1 else {
            throw MinipodError(.internal, "minipod-init must be single-threaded to join a mount namespace")
        }
        for (namespace, fd) in opened { try syscalls.setns(fd, namespace, container: config.name) }
        return sharesMountNamespace
    }

    /// The child: the terminal becomes its stdio, then the command replaces it.
    private func execute(_ launch: Launch, terminal: (master: Int32, peer: String)?) -> Outcome {
        do {
            if let terminal {
                syscalls.closeDescriptor(terminal.master)
                try syscalls.becomeTerminalSession(terminal.peer)
            }
            try launch.exec()
        } catch {
            // The caller already has our "pid" report; the command's stderr is where this can still be seen.
            FileIO.writeAll(2, "\(error)\n")
            return .execFailed(exitCode: (error as? LaunchError)?.exitCode ?? 1)
        }
    }
}
