import Foundation
import Testing

extension Integration {
    /// minipod serve's housekeeping does what kubelet does after a restart, with
    /// no minipod command run: a pod whose supervisor was killed gets a new one
    /// and its containers run again; supervisors the server started are reaped
    /// when they end (no zombies after the pods are deleted).
    @Test func theServerTakesOverAPodWhoseSupervisorWasKilledAndReapsSupervisors() throws {
        defer { host.cleanup(["sidecar-demo"]) }
        try withAPI { api in
            let server = try #require(api.server?.processIdentifier)
            #expect(api.kubectl(["apply", "-f", host.example("sidecar-pod.yaml")]).status == 0)
            #expect(api.kubectl(["wait", "--for=condition=Ready", "pod/sidecar-demo", "--timeout=30s"]).status == 0)
            let lost = try #require(host.supervisorPID("sidecar-demo"))
            kill(lost, SIGKILL)
            var counts = ""
            let restarted = host.eventually(10) {
                counts =
                    api.kubectl(["get", "pod", "sidecar-demo", "-o", "jsonpath={.status.containerStatuses[*].restartCount} {.status.phase}"])
                    .stdout
                return counts == "1 1 Running"
            }
            #expect(restarted, "\(counts)")
            #expect(api.kubectl(["wait", "--for=condition=Ready", "pod/sidecar-demo", "--timeout=30s"]).status == 0)
            let reasons = api.kubectl(["get", "pod", "sidecar-demo", "-o", "jsonpath={.status.containerStatuses[*].lastState.terminated.reason}"])
            #expect(reasons.stdout == "Unknown Unknown")
            let successor = try #require(host.supervisorPID("sidecar-demo"))
            #expect(successor != lost)
            #expect(api.kubectl(["delete", "pod", "sidecar-demo", "--grace-period=1"]).status == 0)
            var children = ""
            let reaped = host.eventually(6) {
                children = shell("ps --ppid \(server) -o pid=,stat=,args=")
                return !children.contains(" Z")
            }
            #expect(reaped, "zombies of minipod serve: \(children)")
        }
    }
}
