import Foundation
import MinipodKube
import MinipodSystem

extension Supervisor {
    /// A container's preStop hook, run before its stop signal and counted
    /// against the grace period, as kubelet does. A failing hook is reported
    /// (FailedPreStopHook) and the container is stopped anyway.
    func runPreStop(_ i: Int, deadline: Date) {
        guard let hook = slots[i].container.lifecycle?.preStop, slots[i].pid != nil else { return }
        if !runHook(hook, slot: slots[i], until: deadline, kind: "PreStop") {
            // Reported; the container is stopped anyway.
        }
    }

    /// postStart runs right after the container started; the next container in spec order
    /// waits for it, and a failing hook kills the container (restarted per restartPolicy),
    /// as kubelet does.
    func runPostStart(_ i: Int) {
        guard let hook = slots[i].container.lifecycle?.postStart, let pid = slots[i].pid else { return }
        if !runHook(hook, slot: slots[i], until: Date().addingTimeInterval(30), kind: "PostStart") {
            event("Killing", "FailedPostStartHook: container \(slots[i].name) will be killed")
            kill(pid, SIGKILL)
            cgroup(for: slots[i].name).killAll()
        }
    }

    /// Runs one lifecycle handler inside the container; false (and a warning event) when it failed.
    private func runHook(_ hook: LifecycleHandler, slot: ContainerSlot, until deadline: Date, kind: String) -> Bool {
        let remaining = deadline.timeIntervalSinceNow
        guard remaining > 0 else { return true }
        var ok = true
        var detail = ""
        if let command = hook.exec?.command, !command.isEmpty {
            (ok, detail) = runInContainer(command, slot: slot, timeout: remaining)
        } else if let http = hook.httpGet, let port = ProbeChecks.port(http.port, in: slot.container) {
            let host = pod.spec.hostNetwork == true ? "127.0.0.1" : (runtime.podIP ?? "127.0.0.1")
            ok = ProbeChecks.http(host: http.host ?? host, port: port, path: http.path ?? "/", headers: http.httpHeaders ?? [], timeout: remaining)
            detail = "GET http://\(host):\(port)\(http.path ?? "/") failed"
        } else if let seconds = hook.sleep?.seconds {
            usleep(UInt32(min(Double(seconds), remaining) * 1_000_000))
        }
        if !ok {
            event("Failed\(kind)Hook", "\(kind)Hook failed: \(detail)", warning: true)
        }
        return ok
    }
}
