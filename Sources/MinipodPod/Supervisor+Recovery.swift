import Foundation
import MinipodImage
import MinipodKube
import MinipodSystem

extension Supervisor {
    /// A supervisor started for a pod that already had one, which finished the
    /// sandbox and was then lost (killed, crashed): this one takes the pod over.
    var isTakingOver: Bool { runtime.sandboxReady == true }

    /// The sandbox outlived the lost supervisor (namespaces and network are
    /// pinned by bind mounts, volumes and pod files are on disk): only the
    /// containers are stopped, to be started again per restartPolicy (see SlotRecovery).
    func takeOver() throws {
        runtime.supervisorPid = getpid()
        try store.save(runtime)
        log("taking over the pod from a lost supervisor")
        // Whatever still runs of the old containers (and their exec sessions) cannot be
        // reaped or logged by us any more.
        for slot in slots { cgroup(for: slot.name).killAll() }
        if pod.spec.hostNetwork != true, let netns = runtime.netns, !FileIO.exists(netns) {
            throw MinipodError(.system, "the pod's network namespace \(netns) is gone")
        }
        try listenForClients()
        for slot in slots where images[slot.container.image] == nil {
            images[slot.container.image] = try ImageStore(root: paths.root).resolve(slot.container.image)
        }
        restoreSlots(now: Date())
        for name in runtime.containers.keys { runtime.containers[name]?.pid = nil }
        try store.save(runtime)
    }

    private func restoreSlots(now: Date) {
        let status = pod.status
        if let started = status?.startTime { startTime = started }
        for condition in status?.conditions ?? [] {
            if let since = condition.lastTransitionTime { transitions[condition.type] = "\(condition.type)=\(condition.status)@\(since)" }
        }
        let recorded = (status?.initContainerStatuses ?? []) + (status?.containerStatuses ?? [])
        let policy = pod.spec.restartPolicy ?? "Always"
        var interrupted: [String] = []
        for i in slots.indices {
            let outcome = SlotRecovery.restore(&slots[i], from: recorded.first { $0.name == slots[i].name }, restartPolicy: policy, now: now)
            if outcome == .interrupted {
                interrupted.append(slots[i].name)
                crashed(i, exit: SlotRecovery.lostExitCode)
                // It did not crash by itself: its next crash restarts it at once, as a first one does.
                slots[i].crashes = 0
            }
        }
        let stopped = interrupted.isEmpty ? "" : "; containers that were running were stopped: \(interrupted.joined(separator: ", "))"
        event("SupervisorLost", "minipod's supervisor of this pod was lost and a new one took over\(stopped)", warning: true)
    }

    /// A pod that cannot be taken over is Failed and kept for the user to look at and delete.
    func failTakeOver(_ error: Error) {
        log("take-over failed: \(error)")
        for slot in slots { cgroup(for: slot.name).killAll() }
        _ = try? store.update(key) { pod in
            pod.status?.phase = "Failed"
            pod.status?.reason = "SupervisorLost"
            pod.status?.message = "minipod's supervisor of this pod was lost and the pod could not be taken over: \(error)"
        }
    }
}
