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

    /// grace nil: the pod's terminationGracePeriodSeconds.
    public func delete(key: String, grace: Int?, wait: Bool = true) throws {
        guard FileIO.exists(paths.runDir(key)) else {
            throw MinipodError(.notFound, "pods \"\(PodStore.name(fromKey: key))\" not found")
        }
        var effectiveGrace = grace ?? 30
        if store.exists(key) {
            let pod = try? store.update(key) { pod in
                let g = grace ?? pod.spec.terminationGracePeriodSeconds ?? 30
                if pod.metadata.deletionTimestamp == nil || g < (pod.metadata.deletionGracePeriodSeconds ?? Int.max) {
                    pod.metadata.deletionTimestamp = KubeTime.now()
                    pod.metadata.deletionGracePeriodSeconds = g
                }
            }
            effectiveGrace = pod?.metadata.deletionGracePeriodSeconds ?? effectiveGrace
        }
        let supervisor = (try? store.loadRuntime(key))?.supervisorPid
        if let pid = supervisor, Signals.isAlive(pid), isSupervisor(pid, key: key) {
            kill(pid, SIGTERM)
            guard wait else { return }
            let deadline = Date().addingTimeInterval(TimeInterval(effectiveGrace) + 30)
            while Signals.isAlive(pid) && Date() < deadline { usleep(2000) }
        }
        // Whatever the supervisor did not get to (or if it was gone), we finish.
        if FileIO.exists(paths.runDir(key)) {
            try PodTeardown(paths: paths).run(key: key)
        }
    }

    /// Guards against a recycled pid: the process must be our supervisor for this pod.
    private func isSupervisor(_ pid: pid_t, key: String) -> Bool {
        let cmdline = (try? FileIO.readBytes("/proc/\(pid)/cmdline")) ?? []
        let args = cmdline.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        return args.contains("supervise") && args.contains(key)
    }
}
