import Foundation
import MinipodKube
import MinipodSystem
import Testing

@testable import MinipodPod

/// kubelet's reasons for a container that did not start.
struct StartFailureTests {
    @Test func aCommandNotFoundIsAStartErrorWithExitCode128() {
        let error = MinipodError(.runtime, #"container app: exec: "nosuch": executable file not found in $PATH"#)
        let failure = StartFailure(error, container: "app")
        #expect(failure.kind == .start)
        #expect(
            failure.waiting == ContainerStateWaiting(reason: "RunContainerError", message: #"exec: "nosuch": executable file not found in $PATH"#))
        let terminated = failure.terminated(finishedAt: "T", containerID: "minipod://x")
        #expect(
            terminated
                == ContainerStateTerminated(
                    exitCode: 128, reason: "StartError", message: #"exec: "nosuch": executable file not found in $PATH"#,
                    startedAt: "1970-01-01T00:00:00Z", finishedAt: "T", containerID: "minipod://x"))
        #expect(failure.report(container: "app") == #"container app: StartError (exit code 128): exec: "nosuch": executable file not found in $PATH"#)
    }

    @Test func aConfigurationThatCannotBeMadeIsCreateContainerConfigError() {
        let error = MinipodError(
            .invalidManifest, "container has runAsNonRoot and image will run as root",
            field: "spec.containers[0].securityContext.runAsNonRoot")
        let failure = StartFailure(error, container: "app")
        #expect(failure.kind == .createConfig)
        #expect(
            failure.waiting
                == ContainerStateWaiting(reason: "CreateContainerConfigError", message: "container has runAsNonRoot and image will run as root"))
        #expect(failure.terminated(finishedAt: "T", containerID: nil) == nil, "nothing was created, nothing terminated")
        #expect(
            failure.report(container: "app")
                == "container app: CreateContainerConfigError: spec.containers[0].securityContext.runAsNonRoot: container has runAsNonRoot and image will run as root"
        )
    }

    @Test func aSystemErrorKeepsItsErrno() {
        let failure = StartFailure(MinipodError.sys("mount /x", errno: ENOENT), container: "app")
        #expect(failure.kind == .start)
        #expect(failure.message == "mount /x: No such file or directory")
    }
}
