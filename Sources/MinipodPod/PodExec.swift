import CMinipod
import Foundation
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
        let pod = try store.loadPod(key)
        let runtime = try store.loadRuntime(key)
        guard let info = runtime.containers[container], let pid = info.pid, Signals.isAlive(pid) else {
            throw MinipodError(.invalidArgument, "cannot exec into container \(container) in pod \(pod.metadata.name): the container is not running")
        }
        var spec = try JSONDecoder().decode(RuntimeSpec.self, from: Data(try FileIO.readBytes(info.specPath)))
        spec.process?.args = command
        spec.process?.terminal = tty
        if tty, !(spec.process?.env ?? []).contains(where: { $0.hasPrefix("TERM=") }) {
            spec.process?.env?.append("TERM=\(ProcessInfo.processInfo.environment["TERM"] ?? "xterm")")
        }
        let cgroup = Cgroup(layout: CgroupLayout.detect(), path: info.cgroup)
        let stdio = ContainerLauncher.Stdio(stdin: stdin && !tty ? 0 : -1, stdout: tty ? -1 : 1, stderr: tty ? -1 : 2)
        let (initPid, terminal) = try ContainerLauncher().exec(name: container, targetPid: pid, spec: spec, cgroup: cgroup, stdio: stdio)
        if let terminal {
            TerminalSession(master: terminal, forwardInput: stdin).run(until: initPid)
            close(terminal)
        }
        let status = try Spawn.wait(initPid) ?? .exited(1)
        return status.code
    }
}
