import Foundation
import MinipodKube
import MinipodSystem

/// Finishes what a crashed minipod process left: a pod nobody is creating (its
/// lock is free) whose supervisor is gone is removed if it never got its
/// sandbox or was being deleted, and taken over by a new supervisor if it had
/// one (as kubelet recovers its pods after a restart; see SlotRecovery).
public struct PodGarbageCollector {
    public let paths: PodPaths
    public let store: PodStore
    /// The minipod binary to start a new supervisor with; nil: pods are not taken over.
    public let executable: String?

    public init(paths: PodPaths, executable: String? = nil) {
        self.paths = paths
        self.store = PodStore(paths: paths)
        self.executable = executable
    }

    /// orphans: also look for the data of pods whose state is gone (a reboot); minipod
    /// serve's housekeeping does that once at start, not every round.
    public func collect(orphans: Bool = true) {
        if orphans { collectOrphans() }
        for key in ((try? FileIO.listDirectory(paths.podsStateDir)) ?? []) {
            // `run` holds this lock from reserving the name until the supervisor is up;
            // holding it here keeps a creator from starting while we judge and remove.
            FileLock.ifFree(paths.lockPath(key)) {
                switch verdict(key) {
                case .keep: break
                case .remove: try? PodTeardown(paths: paths).run(key: key)
                case .takeOver: if let executable { takeOver(key, executable: executable) }
                }
            }
        }
    }

    /// Judged with the pod's lock held by the caller.
    func verdict(_ key: String) -> SupervisorLoss.Verdict {
        let runtime = try? store.loadRuntime(key)
        let supervisorAlive = runtime?.supervisorPid.map { SupervisorProcess.isSupervisor($0, key: key) } ?? false
        // The common case, and all there is to read for it (the Pod is the larger file).
        if supervisorAlive { return .keep }
        let pod = try? store.loadPod(key)
        return SupervisorLoss.verdict(
            SupervisorLoss.Facts(
                supervisorStarted: runtime?.supervisorPid != nil, supervisorAlive: supervisorAlive,
                hasState: pod != nil, hasRuntime: runtime != nil, sandboxReady: runtime?.sandboxReady == true,
                phase: pod?.status?.phase ?? "Pending", deleting: pod?.metadata.deletionTimestamp != nil,
                age: age(of: pod == nil ? paths.runDir(key) : paths.statePath(key))))
    }

    /// Starts the new supervisor and waits (lock held) until it has written its
    /// pid, so that no other collector starts a second one.
    private func takeOver(_ key: String, executable: String) {
        guard let pid = try? SupervisorProcess(paths: paths, executable: executable).spawn(key: key) else { return }
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline, Signals.isAlive(pid), (try? store.loadRuntime(key))?.supervisorPid != pid { usleep(2000) }
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

    private func age(of path: String) -> TimeInterval {
        var st = stat()
        guard stat(path, &st) == 0 else { return .infinity }
        return Date().timeIntervalSince1970 - TimeInterval(st.st_mtim.tv_sec)
    }
}
