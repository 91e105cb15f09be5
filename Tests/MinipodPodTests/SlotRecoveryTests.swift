import Foundation
import MinipodKube
import Testing

@testable import MinipodPod

struct SlotRecoveryTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func slot(_ kind: ContainerSlot.Kind) -> ContainerSlot {
        ContainerSlot(container: Container(name: "c", image: "busybox:1.36"), kind: kind)
    }

    func status(_ state: ContainerState, restarts: Int = 0, last: ContainerState = ContainerState()) -> ContainerStatus {
        ContainerStatus(name: "c", state: state, lastState: last, restartCount: restarts, containerID: "minipod://u-c-\(restarts)")
    }

    let running = ContainerState(running: ContainerStateRunning(startedAt: "2027-01-15T08:00:00Z"))
    func ended(_ code: Int) -> ContainerState { ContainerState(terminated: ContainerStateTerminated(exitCode: code)) }

    @Test func aRunningContainerEndedWithUnknownAndKeepsItsCount() {
        var s = slot(.main)
        #expect(SlotRecovery.restore(&s, from: status(running, restarts: 3), restartPolicy: "Always", now: now) == .interrupted)
        #expect(s.state.terminated?.exitCode == 255)
        #expect(s.state.terminated?.reason == "Unknown")
        #expect(s.state.terminated?.startedAt == "2027-01-15T08:00:00Z")
        #expect(s.restartCount == 3)
        #expect(s.everCreated && s.everStarted)
        // Its next run is counted as a restart and logged as the next file.
        #expect(s.nextRun == 4)
    }

    @Test func aCompletedInitContainerIsNotRunAgain() {
        var s = slot(.initContainer)
        #expect(SlotRecovery.restore(&s, from: status(ended(0)), restartPolicy: "Always", now: now) == .finished)
        #expect(s.done)
    }

    @Test func aFailedInitContainerUnderNeverKeepsThePodFailed() {
        var s = slot(.initContainer)
        #expect(SlotRecovery.restore(&s, from: status(ended(1)), restartPolicy: "Never", now: now) == .finished)
        #expect(!s.done && s.restartAt == nil && s.state.terminated?.exitCode == 1)
        var again = slot(.initContainer)
        #expect(SlotRecovery.restore(&again, from: status(ended(1)), restartPolicy: "OnFailure", now: now) == .restartDue)
        #expect(again.restartAt == now)
    }

    @Test func anEndedMainContainerFollowsTheRestartPolicy() {
        for (policy, code, outcome) in [
            ("Always", 0, SlotRecovery.Outcome.restartDue), ("Always", 1, .restartDue), ("OnFailure", 0, .finished),
            ("OnFailure", 2, .restartDue), ("Never", 0, .finished), ("Never", 2, .finished),
        ] {
            var s = slot(.main)
            #expect(SlotRecovery.restore(&s, from: status(ended(code)), restartPolicy: policy, now: now) == outcome, "\(policy) \(code)")
            #expect(s.done == (outcome == .finished), "\(policy) \(code)")
        }
        var sidecar = slot(.sidecar)
        #expect(SlotRecovery.restore(&sidecar, from: status(ended(0)), restartPolicy: "Never", now: now) == .restartDue)
    }

    @Test func aContainerInBackOffRestartsNowAsKubeletForgetsBackOff() {
        var s = slot(.main)
        let backOff = ContainerState(waiting: ContainerStateWaiting(reason: "CrashLoopBackOff", message: "back-off 40s"))
        #expect(SlotRecovery.restore(&s, from: status(backOff, restarts: 4, last: ended(1)), restartPolicy: "Always", now: now) == .restartDue)
        #expect(s.restartAt == now && s.restartCount == 4 && s.lastState.terminated?.exitCode == 1)
    }

    @Test func aContainerNeverMadeStartsInItsTurn() {
        var s = slot(.main)
        let creating = ContainerState(waiting: ContainerStateWaiting(reason: "ContainerCreating"))
        #expect(SlotRecovery.restore(&s, from: status(creating), restartPolicy: "Always", now: now) == .notStarted)
        #expect(!s.everCreated && s.restartAt == nil && s.nextRun == 0)
        #expect(SlotRecovery.restore(&s, from: nil, restartPolicy: "Always", now: now) == .notStarted)
        let refused = ContainerState(waiting: ContainerStateWaiting(reason: "CreateContainerConfigError"))
        #expect(SlotRecovery.restore(&s, from: status(refused), restartPolicy: "Always", now: now) == .restartDue)
    }
}
