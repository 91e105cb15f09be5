import Foundation
import MinipodImage
import MinipodKube

extension Supervisor {
    /// The Pod's status as the API server would show it, written under the lock
    /// without touching metadata the CLI may have changed (deletion fields).
    func writeStatus() {
        let status = buildStatus()
        // Only the supervisor writes status, so an unchanged one needs no read-modify-write.
        if status == writtenStatus { return }
        guard let written = try? store.updateNotingVersion(key, { stored in stored.status = status }) else { return }
        writtenStatus = status
        if let version = written.version { checkedState = (version, written.pod.metadata.deletionTimestamp != nil) }
    }

    func buildStatus() -> PodStatus {
        let initSlots = slots.filter { $0.kind != .main }
        let mainSlots = slots.filter { $0.kind == .main }
        let initialized = initSlots.allSatisfy { $0.kind == .sidecar ? $0.everStarted : $0.done }
        let containersReady =
            mainSlots.allSatisfy { $0.isRunning && $0.ready }
            && initSlots.filter { $0.kind == .sidecar }.allSatisfy { $0.isRunning && $0.ready }

        let phase: String
        if podFailed {
            phase = "Failed"
        } else if mainSlots.allSatisfy({ $0.done }) {
            phase = mainSlots.allSatisfy({ $0.state.terminated?.exitCode == 0 }) ? "Succeeded" : "Failed"
        } else if initialized && mainSlots.allSatisfy({ $0.everCreated }) {
            // As kubelet's getPhase: a container that failed to start counts as stopped, not waiting.
            phase = "Running"
        } else {
            phase = "Pending"
        }

        var status = PodStatus()
        status.phase = phase
        status.conditions = [
            condition("PodReadyToStartContainers", true),
            condition("Initialized", initialized),
            condition("Ready", containersReady, reason: containersReady ? nil : "ContainersNotReady"),
            condition("ContainersReady", containersReady, reason: containersReady ? nil : "ContainersNotReady"),
            condition("PodScheduled", true),
        ]
        status.hostIP = "127.0.0.1"
        if let ip = runtime.podIP {
            status.podIP = ip
            status.podIPs = [PodIP(ip: ip)]
        }
        status.startTime = startTime
        status.qosClass = qosClass()
        if !initSlots.isEmpty { status.initContainerStatuses = initSlots.map { containerStatus($0, initialized: true) } }
        status.containerStatuses = mainSlots.map { containerStatus($0, initialized: initialized) }
        return status
    }

    private func containerStatus(_ slot: ContainerSlot, initialized: Bool) -> ContainerStatus {
        var state = slot.state
        if !initialized && !slot.everStarted && slot.kind == .main {
            state = ContainerState(waiting: ContainerStateWaiting(reason: "PodInitializing"))
        } else if !slot.everStarted && state.waiting?.reason == "PodInitializing" && slot.kind != .main {
            state = ContainerState(waiting: ContainerStateWaiting(reason: "PodInitializing"))
        }
        let image = images[slot.container.image]
        let imageID = image.map { "\(ImageReferenceText.repositoryWithDomain($0.reference))@\($0.digest)" } ?? ""
        return ContainerStatus(
            name: slot.name, state: state, lastState: slot.lastState, ready: slot.isRunning && slot.ready && slot.kind != .initContainer,
            restartCount: slot.restartCount, image: image?.reference ?? slot.container.image, imageID: imageID,
            containerID: slot.containerID, started: slot.kind == .initContainer ? nil : slot.isRunning && slot.startupDone)
    }

    private func condition(_ type: String, _ value: Bool, reason: String? = nil) -> PodCondition {
        let text = value ? "True" : "False"
        let key = "\(type)=\(text)"
        if transitions[type] == nil || !transitions[type]!.hasPrefix(key + "@") {
            transitions[type] = key + "@" + KubeTime.now()
        }
        let since = transitions[type]!.split(separator: "@", maxSplits: 1).last.map(String.init)
        return PodCondition(type: type, status: text, lastProbeTime: nil, lastTransitionTime: since, reason: reason)
    }

    private func qosClass() -> String {
        let all = pod.spec.allContainers
        let hasAny = all.contains { !($0.resources?.limits ?? [:]).isEmpty || !($0.resources?.requests ?? [:]).isEmpty }
        if !hasAny { return "BestEffort" }
        let guaranteed = all.allSatisfy { c in
            let limits = c.resources?.limits ?? [:]
            let requests = c.resources?.requests ?? limits
            return limits["cpu"] != nil && limits["memory"] != nil && requests["cpu"] == limits["cpu"] && requests["memory"] == limits["memory"]
        }
        return guaranteed ? "Guaranteed" : "Burstable"
    }
}

enum ImageReferenceText {
    /// "docker.io/library/nginx:1.25" → "docker.io/library/nginx" (imageID is repo@digest).
    static func repositoryWithDomain(_ reference: String) -> String {
        (try? ImageReference(parsing: reference)).map { "\($0.domain)/\($0.path)" } ?? reference
    }
}
