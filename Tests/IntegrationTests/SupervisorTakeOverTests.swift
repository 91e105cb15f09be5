import Foundation
import Testing

/// A pod whose supervisor was killed is taken over by a new one at the next
/// `minipod get` (minipod serve does it on its own, see KubectlTests), as
/// kubelet recovers after a restart: containers that ran are restarted with
/// their last state "Unknown, exit 255", and restart policies apply again.
extension Integration {
    @Test func aPodWhoseSupervisorWasKilledIsTakenOverAndRestartsAgain() throws {
        let before = HostSnapshot.take()
        defer { host.cleanup(["init-sidecar-demo"]) }
        try #require(host.run(["run", host.example("init-sidecar.yaml")]).status == 0)
        let ip = try #require(host.podIP("init-sidecar-demo"))
        let page = shell("curl -s --max-time 5 http://\(ip)/")
        #expect(page.contains("Initialized by init container!"), "\(page)")
        let lost = try #require(host.supervisorPID("init-sidecar-demo"))
        kill(lost, SIGKILL)
        #expect(host.eventually(5) { host.run(["get", "pods"]).stdout.contains("2/2     Running   2") })
        let successor = try #require(host.supervisorPID("init-sidecar-demo"))
        #expect(successor != lost)
        let last = host.run(["get", "pod", "init-sidecar-demo", "-o", "jsonpath={.status.containerStatuses[*].lastState.terminated.reason}"])
        #expect(last.stdout == "Unknown Unknown", "\(last.stdout) \(last.stderr)")
        let codes = host.run(["get", "pod", "init-sidecar-demo", "-o", "jsonpath={.status.containerStatuses[*].lastState.terminated.exitCode}"])
        #expect(codes.stdout == "255 255")
        // The init container is not run again: its page (and its time stamp) is still the one nginx serves.
        #expect(host.eventually(5) { shell("curl -s --max-time 5 http://\(ip)/") == page })
        #expect(host.run(["get", "pod", "init-sidecar-demo", "-o", "jsonpath={.status.initContainerStatuses[0].restartCount}"]).stdout == "0")
        let events = host.run(["describe", "pod", "init-sidecar-demo"]).stdout
        #expect(events.contains("SupervisorLost"), "\(events)")

        // The new supervisor keeps the restart policy: a container killed now comes back.
        let sidecar = try #require(containerPID("log-reader", pod: "init-sidecar-demo"))
        kill(sidecar, SIGKILL)
        #expect(
            host.eventually(10) {
                host.run(["get", "pod", "init-sidecar-demo", "-o", "jsonpath={.status.containerStatuses[1].restartCount}"]).stdout == "2"
                    && host.run(["get", "pods"]).stdout.contains("Running")
            })
        #expect(host.run(["delete", "pod", "init-sidecar-demo", "--grace-period=1"]).status == 0)
        #expect(HostSnapshot.take() == before, "left: \(HostSnapshot.take())")
    }

    /// restartPolicy Never: a container that was running when its supervisor was lost
    /// is not started again; the pod ends Failed, as under kubelet after its runtime's shim died.
    @Test func aNeverRestartedPodEndsFailedWhenItsSupervisorIsLost() throws {
        defer { host.cleanup(["lost-once"]) }
        let path = host.busyboxPod("lost-once", command: ["sleep", "3600"], restartPolicy: "Never")
        try #require(host.run(["run", path]).status == 0)
        kill(try #require(host.supervisorPID("lost-once")), SIGKILL)
        #expect(host.eventually(5) { host.run(["get", "pod", "lost-once", "-o", "jsonpath={.status.phase}"]).stdout == "Failed" })
        let state = host.run([
            "get", "pod", "lost-once", "-o",
            "jsonpath={.status.containerStatuses[0].state.terminated.reason} {.status.containerStatuses[0].state.terminated.exitCode} {.status.containerStatuses[0].restartCount}",
        ])
        #expect(state.stdout == "Unknown 255 0", "\(state.stdout) \(state.stderr)")
        usleep(500_000)
        #expect(host.run(["get", "pod", "lost-once", "-o", "jsonpath={.status.phase}"]).stdout == "Failed")
        #expect(shell("pgrep -f 'sleep 3600' | xargs -r -n1 sh -c 'grep -qz MINIPOD_STATE=\(host.base)/run /proc/$0/environ && echo $0'").isEmpty)
        #expect(host.run(["delete", "pod", "lost-once"]).status == 0)
    }

    /// The pid of a container's main process, from the pod's runtime.json.
    func containerPID(_ container: String, pod: String) -> pid_t? {
        let runtime = shell("cat \(host.base)/run/pods/default_\(pod)/runtime.json")
        guard let data = runtime.data(using: .utf8), let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let containers = object["containers"] as? [String: Any], let entry = containers[container] as? [String: Any],
            let pid = entry["pid"] as? Int
        else { return nil }
        return pid_t(pid)
    }
}
