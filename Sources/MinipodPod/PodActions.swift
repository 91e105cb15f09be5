import Foundation

/// What the supervisor does next, decided from the containers' slots, the
/// pod's restart policy and the time (kubelet's computePodActions); the
/// Supervisor only carries these decisions out. Pure: the clock is a parameter.
enum PodActions {
    /// Slots to start now, in the order to start them: native sidecars as they
    /// come, ordinary init containers one at a time (each after the previous
    /// completed), main containers once every init container is done.
    static func containersToStart(_ slots: [ContainerSlot], now: Date) -> [Int] {
        var result: [Int] = []
        for i in slots.indices where slots[i].kind != .main {
            let slot = slots[i]
            if slot.done { continue }
            if slot.kind == .sidecar {
                if slot.pid == nil && isDue(slot, now: now) { result.append(i) }
                continue
            }
            // An ordinary init container that runs, waits for its restart or failed for good holds everything after it.
            if slot.pid != nil || !isDue(slot, now: now) || podFailed(slots) { return result }
            return result + [i]
        }
        return result + slots.indices.filter { slots[$0].kind == .main && !slots[$0].done && slots[$0].pid == nil && isDue(slots[$0], now: now) }
    }

    private static func isDue(_ slot: ContainerSlot, now: Date) -> Bool { (slot.restartAt ?? .distantPast) <= now }

    /// An init container failed and will not be restarted (restartPolicy Never): the pod failed.
    static func podFailed(_ slots: [ContainerSlot]) -> Bool {
        slots.contains { $0.kind == .initContainer && !$0.done && $0.pid == nil && $0.restartAt == nil && $0.state.terminated != nil }
    }

    enum ExitDecision: Equatable {
        /// An init container that exited 0: the next one may start.
        case completed
        /// Not run again: a main container is done, an init container failed the pod.
        case finished
        /// Restarted after `delay` seconds; `crashes` in a row, counting this one.
        case restart(delay: TimeInterval, crashes: Int)
    }

    /// A container that ran this long before it ended starts its back-off afresh (kubelet: 10 minutes).
    static let backoffReset: TimeInterval = 600

    /// After a container ended with `exitCode` (or failed to start: 128).
    static func afterExit(_ slot: ContainerSlot, exitCode: Int, restartPolicy: String, now: Date) -> ExitDecision {
        if slot.kind == .initContainer && exitCode == 0 { return .completed }
        guard slot.restarts(afterExit: exitCode, restartPolicy: restartPolicy) else { return .finished }
        var crashes = slot.crashes
        if let started = slot.startedAt, now.timeIntervalSince(started) >= backoffReset { crashes = 0 }
        crashes += 1
        return .restart(delay: ContainerSlot.backoffDelay(crashes: crashes), crashes: crashes)
    }

    /// Seconds until the next restart, SIGKILL or probe is due (at least 1 ms, at most
    /// `longest`); nil when none is, and the loop may sleep until something happens.
    static func wakeIn(_ slots: [ContainerSlot], now: Date, longest: TimeInterval) -> TimeInterval? {
        let probes = slots.filter(\.isRunning).flatMap(\.probes).map(\.nextRun)
        let soonest = (slots.compactMap(\.restartAt) + slots.compactMap(\.killAt) + probes).map { $0.timeIntervalSince(now) }.min()
        return soonest.map { max(0.001, min($0, longest)) }
    }

    /// The running containers to stop, group after group, each group given what
    /// is left of the grace period: main containers together, then init
    /// containers, then native sidecars one at a time in reverse order (KEP-753).
    static func stopOrder(_ slots: [ContainerSlot]) -> [[Int]] {
        let running = slots.indices.filter { slots[$0].pid != nil }
        let main = running.filter { slots[$0].kind == .main }
        let initContainers = running.filter { slots[$0].kind == .initContainer }
        let sidecars = running.filter { slots[$0].kind == .sidecar }.reversed().map { [$0] }
        return [main, initContainers].filter { !$0.isEmpty } + sidecars
    }

    /// The probes of a running slot due now, in kubelet's order: the startup probe
    /// until it passed, then liveness and readiness.
    static func dueProbes(_ slot: ContainerSlot, now: Date) -> [Int] {
        guard slot.isRunning else { return [] }
        return slot.probes.indices.filter { p in
            let probe = slot.probes[p]
            return probe.nextRun <= now && (probe.kind == .startup) != slot.startupDone
        }
    }

    enum ProbeEffect: Equatable { case none, ready(Bool), startupPassed, restart }

    /// What a probe's new verdict (see ProbeState.record) does to its container.
    static func effect(of kind: ProbeState.Kind, verdict: Bool) -> ProbeEffect {
        switch (kind, verdict) {
        case (.readiness, _): return .ready(verdict)
        case (.startup, true): return .startupPassed
        case (.liveness, true): return .none
        case (.startup, false), (.liveness, false): return .restart
        }
    }
}
