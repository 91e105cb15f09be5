import Foundation
import MinipodKube
import MinipodSystem

/// `minipod delete pod`: asks the supervisor to stop the pod with its grace
/// period and waits until everything is gone; cleans up itself if the
/// supervisor is no longer there (crash, reboot).
public struct PodDeleter {
    public let paths: PodPaths
    public let store: PodStore

    public init(paths: PodPaths) {
        self.paths = paths
        self.store = PodStore(paths: paths)
    }

    /// A deletion under way: which supervisor to wait for, and for how long at most.
    public struct Pending {
        public let key: String
        let supervisor: pid_t?
        let grace: Int
    }

    /// grace nil: the pod's terminationGracePeriodSeconds.
    public func delete(key: String, grace: Int?) throws {
        try finish(try request(key: key, grace: grace))
    }

    /// Marks the pod deleted (deletionTimestamp, deletionGracePeriodSeconds) and
    /// tells its supervisor to stop it. Several pods are requested first and
    /// then waited for together, so their grace periods run at the same time.
    public func request(key: String, grace: Int?) throws -> Pending {
        guard FileIO.exists(paths.runDir(key)) else {
            throw MinipodError.podNotFound(PodStore.name(fromKey: key))
        }
        var effectiveGrace = grace ?? 30
        if store.exists(key) {
            let pod = try? store.update(key) { pod in
                let g = grace ?? pod.spec.terminationGracePeriodSeconds ?? 30
                // A second delete may shorten the grace period, never lengthen it (as the API server does).
                if pod.metadata.deletionTimestamp == nil || g < (pod.metadata.deletionGracePeriodSeconds ?? Int.max) {
                    pod.metadata.deletionTimestamp = KubeTime.now()
                    pod.metadata.deletionGracePeriodSeconds = g
                }
            }
            effectiveGrace = pod?.metadata.deletionGracePeriodSeconds ?? effectiveGrace
        }
        var supervisor = (try? store.loadRuntime(key))?.supervisorPid
        if let pid = supervisor, SupervisorProcess.isSupervisor(pid, key: key) {
            kill(pid, SIGTERM)
        } else {
            supervisor = nil
        }
        return Pending(key: key, supervisor: supervisor, grace: effectiveGrace)
    }

    /// Waits for the supervisor to finish; whatever it did not get to (or if it was gone), we finish.
    public func finish(_ pending: Pending) throws {
        if let pid = pending.supervisor {
            let deadline = Date().addingTimeInterval(TimeInterval(pending.grace) + 30)
            while Signals.isAlive(pid) && Date() < deadline { usleep(2000) }
        }
        if FileIO.exists(paths.runDir(pending.key)) {
            try PodTeardown(paths: paths).run(key: pending.key)
        }
    }
}
