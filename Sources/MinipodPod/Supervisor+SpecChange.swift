import Foundation
import MinipodImage
import MinipodKube
import MinipodSystem

extension Supervisor {
    /// `apply` changed container images in state.json: each such container is
    /// stopped (its stop signal, SIGKILL after the grace period) and started
    /// again with the new image, as kubelet does for a changed container
    /// definition, whatever the restart policy. One that is not running now
    /// takes the new image at its next start, if its restart policy gives it one.
    func applySpecChange() {
        guard let stored = try? store.loadPod(key) else { return }
        for i in slots.indices {
            guard let updated = stored.spec.allContainers.first(where: { $0.name == slots[i].name }),
                updated.image != (slots[i].pendingDefinition ?? slots[i].container).image
            else { continue }
            do {
                if images[updated.image] == nil { images[updated.image] = try ImageStore(root: paths.root).resolve(updated.image) }
            } catch {
                event("Failed", "Failed to apply image \(updated.image) to container \(slots[i].name): \(error)", warning: true)
                continue
            }
            log("container \(slots[i].name): image \(slots[i].container.image) → \(updated.image)")
            if let created = precreated.removeValue(forKey: i) { created.abort() }
            guard let pid = slots[i].pid else {
                // Not running (waiting in back-off, not started yet, or finished): kubelet restarts
                // only running containers for a new definition; the next start, if any, uses it.
                adopt(updated, at: i)
                continue
            }
            // Already stopping for an earlier change: it restarts with this one.
            if slots[i].pendingDefinition != nil {
                slots[i].pendingDefinition = updated
                continue
            }
            event("Killing", "Container \(slots[i].name) definition changed, will be restarted")
            slots[i].pendingDefinition = updated
            let grace = TimeInterval(max(0, pod.spec.terminationGracePeriodSeconds ?? 30))
            slots[i].killAt = Date().addingTimeInterval(grace)
            if grace > 0, let deadline = slots[i].killAt { runPreStop(i, deadline: deadline) }
            let signalName = runtime.containers[slots[i].name]?.stopSignal ?? "SIGTERM"
            kill(pid, grace > 0 ? (Signals.number(signalName) ?? SIGTERM) : SIGKILL)
        }
    }

    /// SIGKILL for a container stopped for a new image that outlived its grace period.
    func killOverdueStops() {
        let now = Date()
        for i in slots.indices {
            guard let at = slots[i].killAt, at <= now else { continue }
            slots[i].killAt = nil
            if let pid = slots[i].pid { kill(pid, SIGKILL) }
            cgroup(for: slots[i].name).killAll()
        }
    }

    /// The container stopped for its new definition starts again at once: a
    /// restart (RESTARTS counts it), with a fresh back-off.
    func restartWithNewDefinition(_ i: Int) {
        if let terminated = slots[i].state.terminated { slots[i].lastState = ContainerState(terminated: terminated) }
        if let updated = slots[i].pendingDefinition { adopt(updated, at: i) }
        slots[i].pendingDefinition = nil
        slots[i].killAt = nil
        slots[i].crashes = 0
        slots[i].done = false
        slots[i].restartAt = Date()
    }

    /// The definition status reports and the next start uses.
    private func adopt(_ updated: Container, at i: Int) {
        slots[i].container = updated
        pod.spec.containers = pod.spec.containers.map { $0.name == updated.name ? updated : $0 }
        pod.spec.initContainers = pod.spec.initContainers?.map { $0.name == updated.name ? updated : $0 }
    }
}
