import Foundation
import Testing

extension Integration {
    static let creationSteps = [
        "run-after-reserve", "run-after-state", "run-after-spawn",
        "supervisor-after-sandbox", "supervisor-after-cni", "supervisor-after-volumes", "supervisor-after-create",
    ]

    /// SIGKILL of `minipod run` or of the new pod's supervisor at each step of
    /// pod creation: the next command completes the pod or removes what was
    /// half-made, and after `delete` the host is as before.
    @Test(arguments: creationSteps)
    func killedDuringCreationLeavesNothingBehind(step: String) throws {
        let before = HostSnapshot.take()
        defer { host.cleanup(["sidecar-demo"]) }
        let crashed = host.run(["run", host.example("sidecar-pod.yaml")], timeout: 30, extraEnvironment: ["MINIPOD_FAULT": step])
        #expect(crashed.status != 0, "\(step): run should not succeed")
        // The next command sees either a pod that completed (the supervisor survived) or none at all.
        let table = host.run(["get", "pods"]).stdout
        #expect(table.isEmpty || table.contains("sidecar-demo"), "\(step): \(table)")
        if table.contains("sidecar-demo") {
            #expect(host.run(["delete", "pod", "sidecar-demo", "--grace-period=0"]).status == 0)
        }
        // Stale state from a run killed right after reserving its name is collected after 10 s; age it.
        if step == "run-after-reserve" {
            _ = shell("touch -d '-1 minute' \(host.base)/run/pods/default_sidecar-demo 2>/dev/null")
            _ = host.run(["get", "pods"])
        }
        #expect(HostSnapshot.take() == before, "\(step) left: \(HostSnapshot.take())")
        // And the name is free again.
        #expect(host.run(["run", host.example("sidecar-pod.yaml")]).status == 0, "\(step)")
    }
}
