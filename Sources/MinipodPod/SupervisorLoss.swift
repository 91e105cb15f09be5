import Foundation

/// What becomes of a pod whose supervisor is not running, decided from what
/// its files say (pure, so the rules are tested without root).
enum SupervisorLoss {
    enum Verdict: Equatable {
        case keep
        /// Half-made or half-deleted: removed as `delete` would.
        case remove
        /// Its sandbox is complete: a new supervisor restarts its containers.
        case takeOver
    }

    struct Facts {
        var supervisorStarted: Bool
        var supervisorAlive: Bool
        var hasState: Bool
        var hasRuntime: Bool
        var sandboxReady: Bool
        var phase: String
        var deleting: Bool
        /// Seconds since the pod's state (or, without state, its directory) last changed.
        var age: TimeInterval
    }

    /// A creator may still be starting for a few seconds before the supervisor writes its pid.
    static let startingGrace: TimeInterval = 10

    static func verdict(_ facts: Facts) -> Verdict {
        if facts.supervisorAlive { return .keep }
        // No state at all: a run killed right after reserving the name.
        guard facts.hasState else { return facts.age > startingGrace ? .remove : .keep }
        guard facts.hasRuntime else { return .remove }
        if facts.supervisorStarted && facts.deleting { return .remove }
        if facts.supervisorStarted && facts.sandboxReady && ["Pending", "Running"].contains(facts.phase) { return .takeOver }
        // Succeeded or Failed: nothing runs any more; the pod stays as it ended for the user to delete.
        if facts.phase != "Pending" { return .keep }
        return facts.supervisorStarted || facts.age > startingGrace ? .remove : .keep
    }
}
