import Foundation
import Testing

@testable import MinipodPod

struct SupervisorLossTests {
    func facts(
        started: Bool = true, alive: Bool = false, state: Bool = true, runtime: Bool = true, sandbox: Bool = true,
        phase: String = "Running", deleting: Bool = false, age: TimeInterval = 60
    ) -> SupervisorLoss.Facts {
        SupervisorLoss.Facts(
            supervisorStarted: started, supervisorAlive: alive, hasState: state, hasRuntime: runtime, sandboxReady: sandbox,
            phase: phase, deleting: deleting, age: age)
    }

    @Test func aLiveSupervisorKeepsItsPod() {
        #expect(SupervisorLoss.verdict(facts(alive: true)) == .keep)
        #expect(SupervisorLoss.verdict(facts(alive: true, deleting: true)) == .keep)
    }

    @Test func aRunningOrInitializingPodWithItsSandboxIsTakenOver() {
        #expect(SupervisorLoss.verdict(facts(phase: "Running")) == .takeOver)
        #expect(SupervisorLoss.verdict(facts(phase: "Pending")) == .takeOver)
    }

    @Test func aPodThatEndedStaysAsItEnded() {
        #expect(SupervisorLoss.verdict(facts(phase: "Succeeded")) == .keep)
        #expect(SupervisorLoss.verdict(facts(phase: "Failed")) == .keep)
    }

    @Test func aPodBeingDeletedIsFinished() {
        #expect(SupervisorLoss.verdict(facts(deleting: true)) == .remove)
        #expect(SupervisorLoss.verdict(facts(phase: "Succeeded", deleting: true)) == .remove)
    }

    @Test func aSupervisorLostBeforeItsSandboxWasCompleteLeavesGarbage() {
        #expect(SupervisorLoss.verdict(facts(sandbox: false, phase: "Pending")) == .remove)
        #expect(SupervisorLoss.verdict(facts(runtime: false)) == .remove)
    }

    @Test func aCreatorIsGivenTimeToStartItsSupervisor() {
        #expect(SupervisorLoss.verdict(facts(started: false, sandbox: false, phase: "Pending", age: 2)) == .keep)
        #expect(SupervisorLoss.verdict(facts(started: false, sandbox: false, phase: "Pending", age: 11)) == .remove)
        #expect(SupervisorLoss.verdict(facts(started: false, state: false, runtime: false, age: 2)) == .keep)
        #expect(SupervisorLoss.verdict(facts(started: false, state: false, runtime: false, age: 11)) == .remove)
    }
}
