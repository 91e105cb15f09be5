import Foundation

/// READY, STATUS and RESTARTS of one pod, computed as kubectl's printPod
/// (pkg/printers/internalversion/printers.go) does, native sidecars included.
struct PodSummary {
    var ready = 0
    var total = 0
    var reason = ""
    var restarts = 0
    var lastRestart: Date?

    init(_ pod: Pod) {
        let status = pod.status ?? PodStatus()
        let phase = status.phase ?? ""
        total = pod.spec.containers.count
        reason = status.reason.flatMap { $0.isEmpty ? nil : $0 } ?? phase
        if status.conditions?.contains(where: { $0.type == "PodScheduled" && $0.reason == "SchedulingGated" }) == true {
            reason = "SchedulingGated"
        }
        var initSpecs: [String: Container] = [:]
        for container in pod.spec.initContainers ?? [] {
            initSpecs[container.name] = container
            if Self.isSidecar(container) { total += 1 }
        }
        var sidecarRestarts = 0
        var lastSidecarRestart: Date?
        var initializing = false
        let initStatuses = status.initContainerStatuses ?? []
        for (i, container) in initStatuses.enumerated() {
            restarts += container.restartCount
            Self.later(&lastRestart, container.lastState.terminated?.finishedAt)
            let sidecar = initSpecs[container.name].map(Self.isSidecar) ?? false
            if sidecar {
                sidecarRestarts += container.restartCount
                Self.later(&lastSidecarRestart, container.lastState.terminated?.finishedAt)
            }
            if let terminated = container.state.terminated, terminated.exitCode == 0 { continue }
            if sidecar, container.started == true {
                if container.ready { ready += 1 }
                continue
            }
            if let terminated = container.state.terminated {
                if let why = terminated.reason, !why.isEmpty {
                    reason = "Init:" + why
                } else if let signal = terminated.signal, signal != 0 {
                    reason = "Init:Signal:\(signal)"
                } else {
                    reason = "Init:ExitCode:\(terminated.exitCode)"
                }
            } else if let why = container.state.waiting?.reason, !why.isEmpty, why != "PodInitializing" {
                reason = "Init:" + why
            } else {
                reason = "Init:\(i)/\(pod.spec.initContainers?.count ?? 0)"
            }
            initializing = true
            break
        }
        let initialized = status.conditions?.contains { $0.type == "Initialized" && $0.status == "True" } ?? false
        if !initializing || initialized {
            restarts = sidecarRestarts
            lastRestart = lastSidecarRestart
            var hasRunning = false
            for container in (status.containerStatuses ?? []).reversed() {
                restarts += container.restartCount
                Self.later(&lastRestart, container.lastState.terminated?.finishedAt)
                if let why = container.state.waiting?.reason, !why.isEmpty {
                    reason = why
                } else if let terminated = container.state.terminated {
                    if let why = terminated.reason, !why.isEmpty {
                        reason = why
                    } else if let signal = terminated.signal, signal != 0 {
                        reason = "Signal:\(signal)"
                    } else {
                        reason = "ExitCode:\(terminated.exitCode)"
                    }
                } else if container.ready, container.state.running != nil {
                    hasRunning = true
                    ready += 1
                }
            }
            // A completed container next to a running one: the pod still runs.
            if reason == "Completed", hasRunning {
                let podReady = status.conditions?.contains { $0.type == "Ready" && $0.status == "True" } ?? false
                reason = podReady ? "Running" : "NotReady"
            }
        }
        if pod.metadata.deletionTimestamp != nil {
            if status.reason == "NodeLost" {
                reason = "Unknown"
            } else if phase != "Succeeded" && phase != "Failed" {
                reason = "Terminating"
            }
        }
    }

    static func isSidecar(_ container: Container) -> Bool { container.restartPolicy == "Always" }

    private static func later(_ current: inout Date?, _ timestamp: String?) {
        guard let date = timestamp.flatMap(KubeTime.parse) else { return }
        if current.map({ $0 < date }) ?? true { current = date }
    }
}
