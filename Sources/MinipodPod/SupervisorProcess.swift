import Foundation
import MinipodSystem

/// Starts `minipod-supervisor KEY` detached (its own session, output to the
/// pod's supervisor.log), for a new pod or to take over one whose supervisor
/// was lost.
public struct SupervisorProcess {
    public let paths: PodPaths
    /// The minipod binary; minipod-supervisor is installed beside it.
    public let executable: String

    /// One supervisor stays resident per pod, so it is an executable of its own
    /// that links only the supervisor (no ArgumentParser, CLI commands or API server).
    public static let name = "minipod-supervisor"

    /// True if `pid` is alive and is the supervisor of `key`: a pid recycled by another
    /// process after the supervisor died counts as gone.
    public static func isSupervisor(_ pid: pid_t, key: String) -> Bool {
        guard Signals.isAlive(pid), let cmdline = try? FileIO.readBytes("/proc/\(pid)/cmdline") else { return false }
        return isSupervisorCommandLine(cmdline.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }, key: key)
    }

    /// True if a process's argv is the supervisor of `key` (guards against recycled pids).
    /// `minipod supervise KEY` is the line of supervisors started before the executable split.
    public static func isSupervisorCommandLine(_ args: [String], key: String) -> Bool {
        guard args.count >= 2 else { return false }
        let program = args[0].split(separator: "/").last.map(String.init) ?? ""
        return (program == name && args[1] == key) || (args.count >= 3 && args[1] == "supervise" && args[2] == key)
    }

    public init(paths: PodPaths, executable: String) {
        self.paths = paths
        self.executable = executable
    }

    /// report: the write end of the pipe a waiting `minipod run` reads (-1: none).
    public func spawn(key: String, report: Int32 = -1) throws -> pid_t {
        let logFD = open(paths.supervisorLog(key), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        if logFD < 0 { throw MinipodError.sys("open \(paths.supervisorLog(key))") }
        defer { close(logFD) }
        var env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]
        for name in [
            "MINIPOD_ROOT", "MINIPOD_STATE", "MINIPOD_LOGS", "MINIPOD_CNI_CONF", "MINIPOD_INIT", "MINIPOD_CGROUP_PARENT", "MINIPOD_FAULT",
            "MINIPOD_LOG_MAX_SIZE", "MINIPOD_LOG_MAX_FILES",
        ] {
            if let value = ProcessInfo.processInfo.environment[name] { env.append("\(name)=\(value)") }
        }
        let path = (executable as NSString).deletingLastPathComponent + "/" + Self.name
        var request = SpawnRequest(path: path, arguments: [Self.name, key, "--report-fd", report >= 0 ? "3" : "-1"], environment: env)
        if report >= 0 { request.extraFDs = [report] }
        request.stdout = logFD
        request.stderr = logFD
        request.newSession = true
        let pid = try Spawn.start(request)
        SupervisorChildren.shared.add(pid)
        return pid
    }
}

/// Supervisors this process started. A long-lived process (minipod serve)
/// reaps the ones that ended, which would otherwise stay zombies; only these
/// pids are waited for, never another child's status (an exec's exit code).
public final class SupervisorChildren: @unchecked Sendable {
    public static let shared = SupervisorChildren()
    private let lock = NSLock()
    private var pids: Set<pid_t> = []

    func add(_ pid: pid_t) {
        lock.lock()
        pids.insert(pid)
        lock.unlock()
    }

    /// Collects the exit status of every supervisor that ended; returns how many.
    @discardableResult
    public func reapEnded() -> Int {
        lock.lock()
        defer { lock.unlock() }
        let ended = pids.filter { pid in
            do { return try Spawn.wait(pid, options: WNOHANG) != nil } catch { return true }  // ECHILD: not ours to wait for
        }
        pids.subtract(ended)
        return ended.count
    }
}
