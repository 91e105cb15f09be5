import Foundation
import MinipodKube
import Testing

@testable import MinipodPod

/// The supervisor's decisions, without root and without a clock of their own.
struct PodActionsTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func slot(_ name: String, _ kind: ContainerSlot.Kind, probes: Container? = nil) -> ContainerSlot {
        ContainerSlot(container: probes ?? Container(name: name, image: "busybox:1.36"), kind: kind)
    }

    /// init-a, init-b, native sidecar s1, native sidecar s2, main m1, main m2.
    var pod: [ContainerSlot] {
        [
            slot("init-a", .initContainer), slot("s1", .sidecar), slot("init-b", .initContainer), slot("s2", .sidecar), slot("m1", .main),
            slot("m2", .main),
        ]
    }

    func running(_ s: inout ContainerSlot, pid: pid_t = 100) {
        s.pid = pid
        s.everStarted = true
    }

    func ended(_ s: inout ContainerSlot, _ code: Int) {
        s.pid = nil
        s.state = ContainerState(terminated: ContainerStateTerminated(exitCode: code))
    }

    @Test func initContainersRunOneByOneAndSidecarsStartInTheirTurn() {
        var slots = pod
        #expect(PodActions.containersToStart(slots, now: t0) == [0])
        running(&slots[0])
        #expect(PodActions.containersToStart(slots, now: t0) == [], "nothing starts while init-a runs")
        ended(&slots[0], 0)
        slots[0].done = true
        #expect(PodActions.containersToStart(slots, now: t0) == [1, 2], "sidecar s1, then init-b")
        running(&slots[1])
        running(&slots[2])
        #expect(PodActions.containersToStart(slots, now: t0) == [])
        ended(&slots[2], 0)
        slots[2].done = true
        #expect(PodActions.containersToStart(slots, now: t0) == [3, 4, 5], "s2 before the main containers")
    }

    @Test func aFailedInitContainerFailsThePodUnderNeverAndIsRetriedOtherwise() {
        var slots = pod
        slots[0].crashes = 0
        ended(&slots[0], 1)
        #expect(PodActions.afterExit(slots[0], exitCode: 1, restartPolicy: "Never", now: t0) == .finished)
        #expect(PodActions.podFailed(slots))
        #expect(PodActions.containersToStart(slots, now: t0) == [], "a failed pod starts nothing more")
        for policy in ["Always", "OnFailure"] {
            #expect(PodActions.afterExit(slots[0], exitCode: 1, restartPolicy: policy, now: t0) == .restart(delay: 0, crashes: 1))
        }
        #expect(PodActions.afterExit(slots[0], exitCode: 0, restartPolicy: "Never", now: t0) == .completed)
        slots[0].restartAt = t0.addingTimeInterval(10)
        #expect(!PodActions.podFailed(slots))
        #expect(PodActions.containersToStart(slots, now: t0) == [], "waits for its back-off")
        #expect(PodActions.containersToStart(slots, now: t0.addingTimeInterval(10)) == [0])
    }

    @Test func mainContainersFollowTheRestartPolicy() {
        let main = slot("m", .main)
        let cases: [(String, Int, Bool)] = [
            ("Always", 0, true), ("Always", 137, true), ("OnFailure", 0, false), ("OnFailure", 1, true), ("Never", 0, false), ("Never", 1, false),
        ]
        for (policy, code, restarts) in cases {
            let decision = PodActions.afterExit(main, exitCode: code, restartPolicy: policy, now: t0)
            #expect(decision == (restarts ? .restart(delay: 0, crashes: 1) : .finished), "\(policy) exit \(code)")
        }
        #expect(PodActions.afterExit(slot("s", .sidecar), exitCode: 0, restartPolicy: "Never", now: t0) == .restart(delay: 0, crashes: 1))
    }

    @Test func backOffDoublesFromTenSecondsToFiveMinutesAndResetsAfterTenMinutesOfRunning() {
        var s = slot("m", .main)
        s.startedAt = t0
        var delays: [TimeInterval] = []
        for _ in 0..<8 {
            guard case .restart(let delay, let crashes) = PodActions.afterExit(s, exitCode: 1, restartPolicy: "Always", now: t0.addingTimeInterval(5))
            else { break }
            delays.append(delay)
            s.crashes = crashes
        }
        #expect(delays == [0, 10, 20, 40, 80, 160, 300, 300])
        #expect(PodActions.afterExit(s, exitCode: 1, restartPolicy: "Always", now: t0.addingTimeInterval(599)) == .restart(delay: 300, crashes: 9))
        #expect(PodActions.afterExit(s, exitCode: 1, restartPolicy: "Always", now: t0.addingTimeInterval(600)) == .restart(delay: 0, crashes: 1))
    }

    @Test func theLoopWakesForTheSoonestRestartKillOrProbe() {
        var slots = pod
        #expect(PodActions.wakeIn(slots, now: t0, longest: 5) == nil)
        slots[4].restartAt = t0.addingTimeInterval(3)
        #expect(PodActions.wakeIn(slots, now: t0, longest: 5) == 3)
        slots[5].killAt = t0.addingTimeInterval(1)
        #expect(PodActions.wakeIn(slots, now: t0, longest: 5) == 1)
        slots[4].restartAt = t0.addingTimeInterval(-2)
        #expect(PodActions.wakeIn(slots, now: t0, longest: 5) == 0.001, "an overdue restart wakes at once")
        slots[4].restartAt = nil
        slots[5].killAt = t0.addingTimeInterval(60)
        #expect(PodActions.wakeIn(slots, now: t0, longest: 5) == 5)
    }

    @Test func podsStopMainFirstThenInitThenSidecarsInReverseOrder() {
        var slots = pod
        for i in slots.indices where i != 2 { running(&slots[i], pid: pid_t(100 + i)) }
        running(&slots[2], pid: 102)
        #expect(PodActions.stopOrder(slots) == [[4, 5], [0, 2], [3], [1]])
        slots[4].pid = nil
        slots[0].pid = nil
        slots[2].pid = nil
        #expect(PodActions.stopOrder(slots) == [[5], [3], [1]])
    }

    func probed(_ probes: (startup: Bool, liveness: Bool, readiness: Bool)) -> ContainerSlot {
        var c = Container(name: "web", image: "nginx:1.25")
        let probe = Probe(exec: ExecAction(command: ["true"]), periodSeconds: 10)
        if probes.startup { c.startupProbe = probe }
        if probes.liveness { c.livenessProbe = probe }
        if probes.readiness { c.readinessProbe = probe }
        var s = slot("web", .main, probes: c)
        running(&s)
        s.resetProbes(started: t0)
        return s
    }

    @Test func theStartupProbeHoldsTheOthersBackUntilItPasses() {
        var s = probed((true, true, true))
        #expect(s.probes.map(\.kind) == [.startup, .liveness, .readiness])
        #expect(PodActions.dueProbes(s, now: t0) == [0])
        s.startupDone = true
        #expect(PodActions.dueProbes(s, now: t0) == [1, 2])
        s.probes[1].nextRun = t0.addingTimeInterval(10)
        #expect(PodActions.dueProbes(s, now: t0) == [2])
        s.pid = nil
        #expect(PodActions.dueProbes(s, now: t0) == [], "no probes for a container that does not run")
    }

    @Test func probeVerdictsRestartOrChangeReadiness() {
        #expect(PodActions.effect(of: .liveness, verdict: false) == .restart)
        #expect(PodActions.effect(of: .startup, verdict: false) == .restart)
        #expect(PodActions.effect(of: .liveness, verdict: true) == .none)
        #expect(PodActions.effect(of: .startup, verdict: true) == .startupPassed)
        #expect(PodActions.effect(of: .readiness, verdict: false) == .ready(false))
        #expect(PodActions.effect(of: .readiness, verdict: true) == .ready(true))
        var s = probed((false, true, false))
        #expect(s.probes[0].record(false, now: t0) == nil)
        #expect(s.probes[0].record(false, now: t0) == nil)
        #expect(s.probes[0].record(false, now: t0) == false, "the third failure (failureThreshold 3) restarts")
    }
}
