import Foundation
import MinipodKube

/// What the supervisor tracks for one container of the pod.
struct ContainerSlot {
    enum Kind { case initContainer, sidecar, main }

    var container: Container
    let kind: Kind
    var pid: pid_t?
    var startedAt: Date?
    var restartCount = 0
    var state = ContainerState(waiting: ContainerStateWaiting(reason: "PodInitializing"))
    var lastState = ContainerState()
    /// Crashes in a row, for the back-off (reset after 10 minutes of running).
    var crashes = 0
    var restartAt: Date?
    /// An init container that exited 0, or a container that will not run again.
    var done = false
    /// Its process ran at least once (native sidecars: main containers wait for this).
    var everStarted = false
    /// A container was made for it at least once, whether its process then ran or
    /// failed to start (StartError): kubelet counts each such run in restartCount.
    var everCreated = false
    var containerID: String?
    /// Readiness as probes decide it (true without a readinessProbe).
    var ready = false
    /// The startupProbe passed, or there is none: liveness and readiness probes run from then on.
    var startupDone = false
    var probes: [ProbeState] = []
    /// Its new definition (a new image from apply) while it still runs the old
    /// one: taken when it exits, and it restarts then, whatever the restart policy.
    var pendingDefinition: Container?
    /// When a container stopped for a new image gets SIGKILL (its grace period ends).
    var killAt: Date?

    var name: String { container.name }

    /// Fresh probe bookkeeping for a (re)started container.
    mutating func resetProbes(started: Date) {
        ready = container.readinessProbe == nil
        startupDone = container.startupProbe == nil
        probes = [(ProbeState.Kind.startup, container.startupProbe), (.liveness, container.livenessProbe), (.readiness, container.readinessProbe)]
            .compactMap { kind, probe in probe.map { ProbeState(kind: kind, probe: $0, started: started) } }
    }
    var isRunning: Bool { pid != nil }

    /// The restart number of the container made next (its log file's number).
    var nextRun: Int { everCreated ? restartCount + 1 : 0 }

    /// A container was made for this slot, and ran or failed to start.
    mutating func countRun() {
        if everCreated { restartCount += 1 }
        everCreated = true
    }

    /// Whether the container runs again after it ended with `exitCode` (kubelet's rules).
    func restarts(afterExit exitCode: Int, restartPolicy: String) -> Bool {
        switch kind {
        case .sidecar: return true
        case .initContainer: return exitCode != 0 && restartPolicy != "Never"
        case .main: return restartPolicy == "Always" || (restartPolicy == "OnFailure" && exitCode != 0)
        }
    }

    /// kubelet's back-off: immediate first restart, then 10 s doubling to 5 min.
    static func backoffDelay(crashes: Int) -> TimeInterval {
        crashes <= 1 ? 0 : min(300, 10 * pow(2, Double(crashes - 2)))
    }
}
