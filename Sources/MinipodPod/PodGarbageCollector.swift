import Foundation
import MinipodKube
import MinipodSystem

/// Finishes what a crashed minipod process left half-made. A pod is garbage
/// when nobody is creating it (its lock is free), its supervisor is gone, and
/// it never got past Pending: it cannot be re-attached, only removed.
/// Pods that were running and lost their supervisor are kept (shown as
/// Unknown) for the user to delete.
public struct PodGarbageCollector {
    public let paths: PodPaths
    public let store: PodStore

    public init(paths: PodPaths) {
        self.paths = paths
        self.store = PodStore(paths: paths)
    }

    public func collect() {
        collectOrphans()
        for key in ((try? FileIO.listDirectory(paths.podsStateDir)) ?? []) {
            // `run` holds this lock from reserving the name until the supervisor is up;
            // holding it here keeps a creator from starting while we judge and remove.
            let lock = open(paths.lockPath(key), O_RDWR | O_CLOEXEC)
            if lock < 0 && errno != ENOENT { continue }
            if lock >= 0 && flock(lock, LOCK_EX | LOCK_NB) != 0 {
                close(lock)
                continue
            }
            if isAbandoned(key) { try? PodTeardown(paths: paths).run(key: key) }
            if lock >= 0 { close(lock) }
        }
    }

    /// Pod data under the root whose pod has no state any more (after a reboot
    /// cleared /run). Data directories are listed before the pods' state, so a
    /// pod created meanwhile (state first, data second) is never taken for one.
    func collectOrphans() {
        let dataUIDs = (try? FileIO.listDirectory(paths.root + "/pods")) ?? []
        guard !dataUIDs.isEmpty else { return }
        let live = Set(
            ((try? FileIO.listDirectory(paths.podsStateDir)) ?? []).compactMap { key in
                (try? store.loadRuntime(key))?.uid ?? (try? store.loadPod(key))?.metadata.uid
            })
        // A run dir without readable state (being created right now) keeps every orphan for later.
        let unreadable = ((try? FileIO.listDirectory(paths.podsStateDir)) ?? []).contains { key in
            (try? store.loadRuntime(key)) == nil && (try? store.loadPod(key)) == nil
        }
        if unreadable { return }
        for uid in dataUIDs where !live.contains(uid) {
            PodTeardown(paths: paths).removeOrphan(uid: uid)
        }
    }

    /// Judged with the pod's lock held by the caller.
    func isAbandoned(_ key: String) -> Bool {
        let runtime = try? store.loadRuntime(key)
        if let pid = runtime?.supervisorPid, Signals.isAlive(pid) { return false }
        guard let pod = try? store.loadPod(key) else {
            // No state at all: a run killed right after reserving the name. Only collect it once it is stale.
            return age(of: paths.runDir(key)) > 10
        }
        if runtime == nil { return true }
        let phase = pod.status?.phase ?? "Pending"
        if phase != "Pending" { return false }
        // A supervisor that has not written its pid yet may still be starting.
        return runtime?.supervisorPid != nil || age(of: paths.statePath(key)) > 10
    }

    private func age(of path: String) -> TimeInterval {
        var st = stat()
        guard stat(path, &st) == 0 else { return .infinity }
        return Date().timeIntervalSince1970 - TimeInterval(st.st_mtim.tv_sec)
    }
}
