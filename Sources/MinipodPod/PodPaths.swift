import Foundation
import MinipodKube

/// Where minipod keeps things (DESIGN.md "On disk"). Every root is overridable
/// so tests can run side by side: MINIPOD_ROOT, MINIPOD_STATE, MINIPOD_LOGS, MINIPOD_CNI_CONF.
public struct PodPaths: Sendable {
    public var root: String       // /var/lib/minipod: images, layers, pod data
    public var state: String      // /run/minipod: state, netns, sockets
    public var logs: String       // /var/log/minipod
    public var cniConfig: String  // /etc/minipod/cni
    public var cgroupParent = "minipod"

    public init(root: String? = nil, state: String? = nil, logs: String? = nil, cniConfig: String? = nil) {
        let env = ProcessInfo.processInfo.environment
        self.root = root ?? env["MINIPOD_ROOT"] ?? "/var/lib/minipod"
        self.state = state ?? env["MINIPOD_STATE"] ?? "/run/minipod"
        self.logs = logs ?? env["MINIPOD_LOGS"] ?? "/var/log/minipod"
        self.cniConfig = cniConfig ?? env["MINIPOD_CNI_CONF"] ?? "/etc/minipod/cni"
        if let parent = env["MINIPOD_CGROUP_PARENT"] { cgroupParent = parent }
    }

    /// A pod's key: namespace and name, unique on this host.
    public static func key(namespace: String?, name: String) -> String { "\(namespace ?? "default")_\(name)" }

    public var podsStateDir: String { state + "/pods" }
    /// Compiled seccomp filters by profile, shared by every pod's containers (SeccompProgramCache).
    public var seccompCache: String { root + "/seccomp" }
    public func runDir(_ key: String) -> String { podsStateDir + "/" + key }
    public func statePath(_ key: String) -> String { runDir(key) + "/state.json" }
    public func runtimePath(_ key: String) -> String { runDir(key) + "/runtime.json" }
    public func historyPath(_ key: String) -> String { runDir(key) + "/history.jsonl" }
    public func eventsPath(_ key: String) -> String { runDir(key) + "/events.json" }
    public func lockPath(_ key: String) -> String { runDir(key) + "/lock" }
    public func netnsPath(_ key: String) -> String { state + "/netns/" + key }
    public func nsDir(_ key: String) -> String { runDir(key) + "/ns" }
    public func etcDir(_ key: String) -> String { runDir(key) + "/etc" }
    public func supervisorLog(_ key: String) -> String { runDir(key) + "/supervisor.log" }
    public func supervisorSocket(_ key: String) -> String { runDir(key) + "/supervisor.sock" }

    public func dataDir(uid: String) -> String { root + "/pods/" + uid }
    public func volumeDir(uid: String, volume: String) -> String { dataDir(uid: uid) + "/volumes/" + volume }
    public func containerDir(uid: String, container: String) -> String { dataDir(uid: uid) + "/containers/" + container }

    public func logDir(namespace: String, name: String, uid: String) -> String { logs + "/pods/\(namespace)_\(name)_\(uid)" }
    public func logPath(namespace: String, name: String, uid: String, container: String, restart: Int) -> String {
        logDir(namespace: namespace, name: name, uid: uid) + "/\(container)/\(restart).log"
    }

    public func cgroupPath(uid: String, container: String? = nil) -> String {
        container.map { "\(cgroupParent)/\(uid)/\($0)" } ?? "\(cgroupParent)/\(uid)"
    }
}
