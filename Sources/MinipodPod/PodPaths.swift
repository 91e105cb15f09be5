import Foundation
import MinipodKube

/// Where minipod keeps things (DESIGN.md "On disk"). Every root is overridable
/// so tests can run side by side: MINIPOD_ROOT, MINIPOD_STATE, MINIPOD_LOGS, MINIPOD_CNI_CONF.
public struct PodPaths: Sendable {
    public var root: String  // /var/lib/minipod: images, layers, pod data
    public var state: String  // /run/minipod: state, netns, sockets
    public var logs: String  // /var/log/minipod
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

    /// The longest file name Linux file systems take (NAME_MAX, in bytes).
    static let maxFileName = 255

    /// A pod's key: namespace and name, unique on this host; it names the pod's
    /// state directory and netns file. A name may have 253 characters and a
    /// namespace 63, more than a file name holds: such a key keeps its start
    /// and ends in a hash of the whole, after a second '_', which no plain key
    /// has (names hold none), so it cannot meet a pod named like it.
    public static func key(namespace: String?, name: String) -> String {
        let plain = "\(namespace ?? "default")_\(name)"
        guard plain.utf8.count > maxFileName else { return plain }
        let hash = "_" + fnv1a64Hex(plain)
        return String(plain.prefix(maxFileName - hash.count)) + hash
    }

    /// FNV-1a: stable across runs and builds (Swift's Hasher is seeded per
    /// process); names are the user's own, so no adversary picks collisions.
    static func fnv1a64Hex(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    public var podsStateDir: String { state + "/pods" }
    /// Compiled seccomp filters by profile, shared by every pod's containers (SeccompProgramCache).
    public var seccompCache: String { root + "/seccomp" }
    public func runDir(_ key: String) -> String { podsStateDir + "/" + key }
    public func statePath(_ key: String) -> String { runDir(key) + "/state.json" }
    public func runtimePath(_ key: String) -> String { runDir(key) + "/runtime.json" }
    public func historyPath(_ key: String) -> String { runDir(key) + "/history.jsonl" }
    public func eventsPath(_ key: String) -> String { runDir(key) + "/events.json" }
    public func lockPath(_ key: String) -> String { runDir(key) + "/lock" }
    /// Leases of host ID blocks for pods with `hostUsers: false` (IDRangeLeases), a file per block.
    public var idRangeLeases: String { root + "/userns" }
    public func netnsPath(_ key: String) -> String { state + "/netns/" + key }
    public func nsDir(_ key: String) -> String { runDir(key) + "/ns" }
    public func etcDir(_ key: String) -> String { runDir(key) + "/etc" }
    public func supervisorLog(_ key: String) -> String { runDir(key) + "/supervisor.log" }
    public func supervisorSocket(_ key: String) -> String { runDir(key) + "/supervisor.sock" }

    public func dataDir(uid: String) -> String { root + "/pods/" + uid }
    public func volumeDir(uid: String, volume: String) -> String { dataDir(uid: uid) + "/volumes/" + volume }
    public func containerDir(uid: String, container: String) -> String { dataDir(uid: uid) + "/containers/" + container }

    /// kubelet's <namespace>_<name>_<uid>, with the name cut short when the whole would
    /// not fit a file name (kubelet then fails, kubernetes#91410); the uid keeps it unique.
    public func logDir(namespace: String, name: String, uid: String) -> String {
        let room = Self.maxFileName - namespace.utf8.count - uid.utf8.count - 2
        return logs + "/pods/\(namespace)_\(name.utf8.count > room ? String(name.prefix(room)) : name)_\(uid)"
    }
    public func logPath(namespace: String, name: String, uid: String, container: String, restart: Int) -> String {
        logDir(namespace: namespace, name: name, uid: uid) + "/\(container)/\(restart).log"
    }

    public func cgroupPath(uid: String, container: String? = nil) -> String {
        container.map { "\(cgroupParent)/\(uid)/\($0)" } ?? "\(cgroupParent)/\(uid)"
    }
}
