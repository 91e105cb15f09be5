import Glibc
import MinipodPod
import Testing

/// delete and the garbage collector signal a pid only if its argv is this pod's
/// supervisor: a recycled pid must never be taken for one.
@Suite struct SupervisorCommandLineTests {
    @Test func theSupervisorExecutableOfThePodIsRecognised() {
        #expect(SupervisorProcess.isSupervisorCommandLine(["minipod-supervisor", "default_web", "--report-fd", "3"], key: "default_web"))
        #expect(
            SupervisorProcess.isSupervisorCommandLine(["/usr/local/bin/minipod-supervisor", "default_web", "--report-fd", "-1"], key: "default_web"))
    }

    @Test func aSupervisorStartedBeforeTheSplitIsStillRecognised() {
        #expect(SupervisorProcess.isSupervisorCommandLine(["minipod", "supervise", "default_web", "--report-fd", "3"], key: "default_web"))
    }

    @Test func otherPodsAndOtherProcessesAreNot() {
        #expect(!SupervisorProcess.isSupervisorCommandLine(["minipod-supervisor", "default_other", "--report-fd", "3"], key: "default_web"))
        #expect(!SupervisorProcess.isSupervisorCommandLine(["sleep", "default_web"], key: "default_web"))
        #expect(!SupervisorProcess.isSupervisorCommandLine(["minipod", "logs", "default_web"], key: "default_web"))
        #expect(!SupervisorProcess.isSupervisorCommandLine(["minipod-supervisor"], key: "default_web"))
        #expect(!SupervisorProcess.isSupervisorCommandLine([], key: "default_web"))
    }

    @Test func aLiveProcessThatIsNotTheSupervisorCountsAsGone() {
        // A supervisor's pid recycled by another process: this test's own process stands in for it.
        #expect(!SupervisorProcess.isSupervisor(getpid(), key: "default_web"))
        #expect(!SupervisorProcess.isSupervisor(pid_t(Int32.max), key: "default_web"))
    }
}
