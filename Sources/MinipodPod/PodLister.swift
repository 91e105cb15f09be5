import Foundation
import MinipodKube
import MinipodSystem

/// Reads every pod's state for `get`; a pod whose supervisor is gone is
/// reported as such instead of showing a stale "Running".
public struct PodLister {
    public let paths: PodPaths
    public let store: PodStore

    public init(paths: PodPaths) {
        self.paths = paths
        self.store = PodStore(paths: paths)
    }

    public func pods(namespace: String?) -> [Pod] {
        store.keys().compactMap { key -> Pod? in
            guard var pod = try? store.loadPod(key) else { return nil }
            if let namespace, (pod.metadata.namespace ?? "default") != namespace { return nil }
            markIfSupervisorLost(&pod, key: key)
            return pod
        }.sorted { $0.metadata.name < $1.metadata.name }
    }

    /// One pod as `pods` shows it, reading only its own files.
    public func pod(key: String) -> Pod? {
        guard var pod = try? store.loadPod(key) else { return nil }
        markIfSupervisorLost(&pod, key: key)
        return pod
    }

    private func markIfSupervisorLost(_ pod: inout Pod, key: String) {
        if let runtime = try? store.loadRuntime(key), let pid = runtime.supervisorPid, !Signals.isAlive(pid) {
            Self.markSupervisorLost(&pod)
        }
    }

    /// A pod whose supervisor is gone: a Running or Pending pod is Unknown, its containers' state too.
    public static func markSupervisorLost(_ pod: inout Pod) {
        guard pod.status?.phase == "Running" || pod.status?.phase == "Pending" else { return }
        pod.status?.phase = "Unknown"
        pod.status?.reason = "SupervisorLost"
        pod.status?.message = "minipod's supervisor of this pod is not running; the next `minipod get` (or minipod serve) starts a new one"
        // Nobody watches the containers any more: their state is unknown, not "Running".
        let unknown = ContainerState(waiting: ContainerStateWaiting(reason: "Unknown", message: "supervisor lost"))
        for i in pod.status?.containerStatuses?.indices ?? (0..<0) {
            pod.status?.containerStatuses?[i].state = unknown
            pod.status?.containerStatuses?[i].ready = false
        }
    }
}
