import Foundation
import MinipodKube
import MinipodSystem

/// How kubelet shows a container that did not start, decided from the error.
/// Two kinds, as kubelet and containerd tell them apart:
/// - the container's configuration cannot be made (runAsNonRoot with a root
///   image, a subPath that leads out of its volume: `.invalidManifest`):
///   waiting `CreateContainerConfigError`; nothing was created, so no restart
///   is counted and kubelet simply tries again at its next sync;
/// - the container was created but its process did not start (a command not
///   found, a refused mount): containerd reports it terminated with exit code
///   128 and reason `StartError`, kubelet shows waiting `RunContainerError`
///   and restarts it per restartPolicy with the usual back-off.
struct StartFailure: Equatable {
    enum Kind { case createConfig, start }

    let kind: Kind
    /// kubelet's words for the status: the message without the container's name or the field.
    let message: String
    /// The whole error, field included (not the container's name): for events and `minipod run`.
    let detail: String

    /// kubelet's requeue period for a pod whose sync failed (podWorkers' backOffPeriod).
    static let createConfigRetry: TimeInterval = 10
    /// containerd's exit code for a task that failed to start.
    static let startErrorExitCode = 128

    init(_ error: Error, container: String) {
        let minipodError = error as? MinipodError
        kind = minipodError?.code == .invalidManifest ? .createConfig : .start
        // The container's name is said once, by whoever shows this.
        let withoutName = { (text: String) in
            text.hasPrefix("container \(container): ") ? String(text.dropFirst("container \(container): ".count)) : text
        }
        detail = withoutName("\(error)")
        var text = withoutName(minipodError?.message ?? "\(error)")
        if let errno = minipodError?.errno { text += ": \(String(cString: strerror(errno)))" }
        message = text
    }

    var waiting: ContainerStateWaiting {
        ContainerStateWaiting(reason: kind == .createConfig ? "CreateContainerConfigError" : "RunContainerError", message: message)
    }

    /// What containerd reports for a container whose process did not start (nil when none was created).
    /// It never started, so containerd's startedAt is the zero time, which kubectl shows as 1970.
    func terminated(finishedAt: String, containerID: String?) -> ContainerStateTerminated? {
        guard kind == .start else { return nil }
        return ContainerStateTerminated(
            exitCode: Self.startErrorExitCode, reason: "StartError", message: message,
            startedAt: "1970-01-01T00:00:00Z", finishedAt: finishedAt, containerID: containerID)
    }

    /// What `minipod run` prints before it removes the pod: the reason kubelet would show, then the error.
    func report(container: String) -> String {
        switch kind {
        case .createConfig: return "container \(container): CreateContainerConfigError: \(detail)"
        case .start: return "container \(container): StartError (exit code \(Self.startErrorExitCode)): \(message)"
        }
    }
}
