import Foundation
import MinipodKube
import MinipodOCI
import MinipodRuntime
import MinipodSystem

extension Supervisor {
    func event(_ reason: String, _ message: String, warning: Bool = false) {
        PodEventLog.record(paths.eventsPath(key), type: warning ? "Warning" : "Normal", reason: reason, message: message)
    }

    /// Runs every probe that is due, in kubelet's order: startup first, then liveness and readiness.
    func runDueProbes() {
        for i in slots.indices {
            for p in PodActions.dueProbes(slots[i], now: clock()) {
                let state = slots[i].probes[p]
                let (ok, detail) = check(state, slot: slots[i])
                if !ok {
                    event("Unhealthy", "\(state.kind.rawValue.capitalized) probe failed: \(detail)", warning: true)
                }
                guard let verdict = slots[i].probes[p].record(ok, now: clock()) else { continue }
                switch PodActions.effect(of: state.kind, verdict: verdict) {
                case .none: break
                case .ready(let ready): slots[i].ready = ready
                case .startupPassed: slots[i].startupDone = true
                case .restart:
                    event("Killing", "Container \(slots[i].name) failed \(state.kind.rawValue) probe, will be restarted")
                    log("container \(slots[i].name) failed its \(state.kind.rawValue) probe")
                    if let pid = slots[i].pid { kill(pid, SIGKILL) }
                    cgroup(for: slots[i].name).killAll()
                }
            }
        }
    }

    private func check(_ state: ProbeState, slot: ContainerSlot) -> (Bool, String) {
        let probe = state.probe
        let host = pod.spec.hostNetwork == true ? "127.0.0.1" : (runtime.podIP ?? "127.0.0.1")
        if let http = probe.httpGet {
            guard let port = ProbeChecks.port(http.port, in: slot.container) else { return (false, "unknown port \(http.port)") }
            let ok = ProbeChecks.http(
                host: http.host ?? host, port: port, path: http.path ?? "/", headers: http.httpHeaders ?? [], timeout: state.timeout)
            return (ok, "HTTP probe failed with statuscode or connection error: GET http://\(http.host ?? host):\(port)\(http.path ?? "/")")
        }
        if let tcp = probe.tcpSocket {
            guard let port = ProbeChecks.port(tcp.port, in: slot.container) else { return (false, "unknown port \(tcp.port)") }
            return (ProbeChecks.tcp(host: tcp.host ?? host, port: port, timeout: state.timeout), "dial tcp \(host):\(port): connection refused")
        }
        if let command = probe.exec?.command, !command.isEmpty {
            return runInContainer(command, slot: slot, timeout: state.timeout)
        }
        return (false, "probe has no handler")
    }

    /// exec probes and preStop hooks run inside the container like `minipod exec`, bounded by a timeout.
    func runInContainer(_ command: [String], slot: ContainerSlot, timeout: TimeInterval) -> (Bool, String) {
        guard let pid = slot.pid, let info = runtime.containers[slot.name],
            let data = FileManager.default.contents(atPath: info.specPath),
            var spec = try? JSONDecoder().decode(RuntimeSpec.self, from: data)
        else { return (false, "container not running") }
        spec.process?.args = command
        spec.process?.terminal = false
        do {
            let (initPid, _) = try launcher.exec(name: slot.name, targetPid: pid, spec: spec, cgroup: cgroup(for: slot.name), stdio: .init())
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                if let status = try Spawn.wait(initPid, options: WNOHANG) {
                    return (status == .exited(0), "command \(command) exited with \(status.code)")
                }
                usleep(2000)
            }
            kill(initPid, SIGKILL)
            _ = try? Spawn.wait(initPid)
            return (false, "command \(command) timed out after \(Int(timeout))s")
        } catch {
            return (false, "\(error)")
        }
    }
}
