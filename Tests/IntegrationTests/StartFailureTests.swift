import Foundation
import Testing

/// A container that cannot start is shown as kubelet shows it, and `apply`
/// keeps its pod: a command that is not found is a StartError (exit code 128)
/// restarted with back-off; runAsNonRoot with a root image is a
/// CreateContainerConfigError. `run` removes the pod but prints the same reason.
extension Integration {
    func startFailurePod(_ name: String, command: String = "nosuch", restartPolicy: String = "Always", security: String = "{}") -> String {
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: \(name)
        spec:
          restartPolicy: \(restartPolicy)
          containers:
            - name: app
              image: busybox:1.36
              command: ["\(command)"]
              securityContext: \(security)
        """
    }

    /// `get pod -o json`'s status, parsed.
    func podStatus(_ name: String) -> [String: Any]? {
        let json = host.run(["get", "pod", name, "-o", "json"]).stdout
        let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        return object?["status"] as? [String: Any]
    }

    func firstContainerStatus(_ name: String) -> [String: Any]? {
        (podStatus(name)?["containerStatuses"] as? [[String: Any]])?.first
    }

    func history(_ name: String) -> String {
        (try? String(contentsOfFile: host.base + "/run/pods/default_\(name)/history.jsonl", encoding: .utf8)) ?? ""
    }

    @Test func aCommandNotFoundIsAStartErrorRestartedWithBackOff() throws {
        defer { host.cleanup(["start-error", "start-error-never"]) }
        let notFound = #"exec: "nosuch": executable file not found in $PATH"#
        let applied = host.run(["apply", "-f", "-"], stdin: startFailurePod("start-error"))
        try #require(applied.status == 0, "\(applied.stderr)")
        // The first restart is at once, the next after 10 s: restartCount 2 within ~12 s.
        let backedOff = host.eventually(20) {
            guard let status = firstContainerStatus("start-error"), (status["restartCount"] as? Int ?? 0) >= 2 else { return false }
            return ((status["state"] as? [String: Any])?["waiting"] as? [String: Any])?["reason"] as? String == "CrashLoopBackOff"
        }
        let status = firstContainerStatus("start-error") ?? [:]
        #expect(backedOff, "\(status)")
        let last = (status["lastState"] as? [String: Any])?["terminated"] as? [String: Any] ?? [:]
        #expect(last["exitCode"] as? Int == 128, "\(last)")
        #expect(last["reason"] as? String == "StartError", "\(last)")
        #expect((last["message"] as? String ?? "").contains(notFound), "\(last)")
        #expect(podStatus("start-error")?["phase"] as? String == "Running", "kubelet: stopped containers under Always")
        #expect(history("start-error").contains("\"RunContainerError\""), "waiting RunContainerError before the back-off")
        #expect(history("start-error").contains(notFound.replacingOccurrences(of: "\"", with: "\\\"")))
        let row = host.run(["get", "pod", "start-error", "--no-headers"]).stdout
        #expect(row.contains("CrashLoopBackOff") && !row.contains("   0   "), "\(row)")

        // Never: the container stays terminated with StartError and the pod fails.
        try #require(host.run(["apply", "-f", "-"], stdin: startFailurePod("start-error-never", restartPolicy: "Never")).status == 0)
        #expect(
            host.eventually { podStatus("start-error-never")?["phase"] as? String == "Failed" },
            "\(String(describing: podStatus("start-error-never")))")
        let terminated = (firstContainerStatus("start-error-never")?["state"] as? [String: Any])?["terminated"] as? [String: Any] ?? [:]
        #expect(terminated["reason"] as? String == "StartError" && terminated["exitCode"] as? Int == 128, "\(terminated)")
        #expect(host.run(["get", "pod", "start-error-never"]).stdout.contains("StartError"))

        // run removes the pod but says why, with the same reason.
        let run = host.run(["run", "-"], stdin: startFailurePod("start-error-run"))
        #expect(run.status != 0)
        #expect(run.stderr.contains("StartError") && run.stderr.contains(notFound), "\(run.stderr)")
        #expect(host.run(["get", "pod", "start-error-run"]).status != 0, "run removes the pod")
    }

    @Test func runAsNonRootWithARootImageIsACreateContainerConfigError() throws {
        defer { host.cleanup(["non-root"]) }
        let message = "container has runAsNonRoot and image will run as root"
        let pod = startFailurePod("non-root", command: "sleep", security: "{runAsNonRoot: true}")
        let applied = host.run(["apply", "-f", "-"], stdin: pod)
        try #require(applied.status == 0, "\(applied.stderr)")
        func waiting() -> [String: Any]? { (firstContainerStatus("non-root")?["state"] as? [String: Any])?["waiting"] as? [String: Any] }
        #expect(host.eventually { waiting()?["reason"] as? String == "CreateContainerConfigError" }, "\(String(describing: waiting()))")
        // It is retried, not restarted: no back-off, no restart counted, the pod stays Pending.
        sleep(3)
        #expect(waiting()?["reason"] as? String == "CreateContainerConfigError", "\(String(describing: waiting()))")
        #expect(waiting()?["message"] as? String == message, "\(String(describing: waiting()))")
        #expect(firstContainerStatus("non-root")?["restartCount"] as? Int == 0)
        #expect(podStatus("non-root")?["phase"] as? String == "Pending")
        #expect(host.run(["get", "pod", "non-root"]).stdout.contains("CreateContainerConfigError"))
        #expect(host.run(["describe", "pod", "non-root"]).stdout.contains(message))

        let run = host.run(["run", "-"], stdin: pod.replacingOccurrences(of: "name: non-root", with: "name: non-root-run"))
        #expect(run.status != 0)
        #expect(run.stderr.contains("CreateContainerConfigError") && run.stderr.contains(message), "\(run.stderr)")
        #expect(host.run(["get", "pod", "non-root-run"]).status != 0, "run removes the pod")
    }
}
