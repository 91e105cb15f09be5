import Foundation
import MinipodKube

/// A supervisor that takes over a pod whose supervisor was killed rebuilds
/// each container's bookkeeping from the status its predecessor last wrote.
/// The predecessor's containers cannot be adopted (they are not our children,
/// so their exit codes are lost, and their output pipes broke with it): they
/// are stopped and count as ended with exit code 255, reason Unknown, as a
/// container does when containerd's shim dies under kubelet. Back-off is not
/// carried over, as kubelet forgets it when it restarts.
enum SlotRecovery {
    enum Outcome: Equatable {
        /// Never made: it starts in its turn, as in a new pod.
        case notStarted
        /// Ran to an end it will not restart from.
        case finished
        /// Ended or failed to start, waiting for a restart: restarts now.
        case restartDue
        /// Was running when its supervisor was lost: ended with 255, Unknown.
        case interrupted
    }

    static let lostExitCode = 255

    /// Restores `slot` from `status` (nil: the container was never shown).
    static func restore(_ slot: inout ContainerSlot, from status: ContainerStatus?, restartPolicy: String, now: Date) -> Outcome {
        guard let status else { return .notStarted }
        slot.restartCount = status.restartCount
        slot.lastState = status.lastState
        slot.containerID = status.containerID
        let ran = status.state.running != nil || status.state.terminated != nil || status.lastState.terminated != nil
        slot.everCreated = ran || status.restartCount > 0
        slot.everStarted = slot.everCreated
        if let running = status.state.running {
            slot.state = ContainerState(
                terminated: ContainerStateTerminated(
                    exitCode: lostExitCode, reason: "Unknown",
                    message: "minipod's supervisor of this pod was lost while the container ran; it was stopped",
                    startedAt: running.startedAt, finishedAt: KubeTime.format(now), containerID: status.containerID))
            return .interrupted
        }
        if let terminated = status.state.terminated {
            slot.state = status.state
            if slot.restarts(afterExit: terminated.exitCode, restartPolicy: restartPolicy) {
                slot.restartAt = now
                return .restartDue
            }
            slot.done = slot.kind != .initContainer || terminated.exitCode == 0
            return .finished
        }
        if slot.everCreated || status.state.waiting.map({ !["PodInitializing", "ContainerCreating"].contains($0.reason ?? "") }) == true {
            slot.state = status.state
            slot.restartAt = now
            return .restartDue
        }
        return .notStarted
    }

}
