import Foundation
import Testing

extension Integration {
    /// A crashing container restarts, the RESTARTS column counts, and after the
    /// second crash the back-off shows as CrashLoopBackOff.
    @Test func crashingContainerRestartsIntoCrashLoopBackOff() throws {
        defer { host.cleanup(["crasher"]) }
        let path = host.manifest(
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: crasher
            spec:
              containers:
                - name: app
                  image: busybox:1.36
                  command: ["sh", "-c", "echo started; exit 2"]
            """)
        _ = host.run(["apply", "-f", path])
        var row = ""
        let backoff = host.eventually(10) {
            row = host.run(["get", "pods"]).stdout
            return row.contains("CrashLoopBackOff")
        }
        #expect(backoff, "\(row)")
        let restarts = row.split(separator: "\n").last?.split(separator: " ", omittingEmptySubsequences: true)[3]
        #expect(restarts.flatMap { Int($0) } ?? 0 >= 1, "\(row)")
        let yaml = host.run(["get", "pod", "crasher", "-o", "yaml"]).stdout
        #expect(yaml.contains("exitCode: 2"))
        #expect(yaml.contains("reason: Error"))
        #expect(host.run(["logs", "crasher", "--previous"]).stdout == "started\n")
    }

    @Test func restartPolicyNeverLeavesTheContainerCompleted() throws {
        defer { host.cleanup(["once"]) }
        let path = host.manifest(
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: once
            spec:
              restartPolicy: Never
              containers:
                - name: app
                  image: busybox:1.36
                  command: ["sh", "-c", "echo done"]
            """)
        let run = host.run(["run", path])
        #expect(run.status == 0, "\(run.stderr)")
        var table = ""
        #expect(
            host.eventually(5) {
                table = host.run(["get", "pods"]).stdout
                return table.contains("Completed")
            }, "\(table)")
        #expect(table.contains("once   0/1     Completed   0"), "\(table)")
        #expect(host.run(["logs", "once"]).stdout == "done\n")
    }
}

extension Integration {
    /// `delete pod a b` stops both at once: PID 1 of the busybox sidecars is a
    /// shell that ignores SIGTERM, so each takes its whole grace period, as on
    /// Kubernetes, but the two periods run side by side.
    @Test func deletingSeveralPodsRunsTheirGracePeriodsTogether() throws {
        defer { host.cleanup(["sidecar-demo", "localhost-demo"]) }
        try #require(host.run(["run", host.example("sidecar-pod.yaml")]).status == 0)
        try #require(host.run(["run", host.example("localhost-demo.yaml")]).status == 0)
        let start = Date()
        let result = host.run(["delete", "pod", "sidecar-demo", "localhost-demo", "no-such-pod", "--grace-period=3"])
        let took = Date().timeIntervalSince(start)
        #expect(result.stdout == "pod \"sidecar-demo\" deleted\npod \"localhost-demo\" deleted\n")
        #expect(result.stderr.contains("Error from server (NotFound): pods \"no-such-pod\" not found"))
        #expect(result.status == 1)
        #expect(took >= 2.5 && took < 6, "took \(took) s")
    }

    /// A second delete with a shorter grace period cuts the first one short.
    @Test func secondDeleteShortensTheGracePeriod() throws {
        defer { host.cleanup(["sidecar-demo"]) }
        try #require(host.run(["run", host.example("sidecar-pod.yaml")]).status == 0)
        let (slow, _) = try host.start(["delete", "pod", "sidecar-demo"])
        defer { host.stop(slow) }
        usleep(500_000)
        let start = Date()
        let fast = host.run(["delete", "pod", "sidecar-demo", "--grace-period=0"])
        #expect(fast.status == 0, "\(fast.stderr)")
        #expect(Date().timeIntervalSince(start) < 5)
        #expect(host.run(["get", "pods"]).stdout.isEmpty)
    }
}

extension Integration {
    /// A chatty container's log rotates at the size limit (kubelet's containerLogMaxSize);
    /// the container keeps running and `logs` shows the newest lines.
    @Test func logsRotateAtTheSizeLimit() throws {
        defer { host.cleanup(["chatty"]) }
        let path = host.manifest(
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: chatty
            spec:
              containers:
                - name: app
                  image: busybox:1.36
                  command: ["sh", "-c", "i=0; while [ $i -lt 20000 ]; do echo line-$i-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; i=$((i+1)); done; echo finished; sleep 3600"]
            """, name: "chatty")
        try #require(host.run(["run", path], extraEnvironment: ["MINIPOD_LOG_MAX_SIZE": "200000"]).status == 0)
        #expect(host.eventually(15) { host.run(["logs", "chatty", "--tail", "1"]).stdout == "finished\n" })
        let files = shell("ls -l \(host.base)/log/pods/default_chatty_*/app/ | awk 'NR>1{print $5, $9}'")
        let sizes = files.split(separator: "\n").compactMap { Int($0.split(separator: " ")[0]) }
        #expect(files.contains("0.log.1"), "\(files)")
        #expect(sizes.allSatisfy { $0 <= 200_000 }, "\(files)")
        #expect(host.run(["get", "pods"]).stdout.contains("chatty   1/1     Running"))
    }
}

extension Integration {
    /// A pod that does nothing writes nothing: resourceVersion and the watch history stay put.
    @Test func idlePodStateIsNotRewritten() throws {
        defer { host.cleanup(["sidecar-demo"]) }
        try #require(host.run(["run", host.example("sidecar-pod.yaml")]).status == 0)
        usleep(500_000)
        let version = {
            host.run(["get", "pod", "sidecar-demo", "-o", "json"]).stdout
                .split(separator: "\n").first { $0.contains("\"resourceVersion\"") } ?? ""
        }
        let before = version()
        sleep(6)  // longer than the supervisor's idle wake-up (5 s)
        #expect(version() == before)
    }
}

extension Integration {
    /// preStop runs inside the container before the stop signal, within the grace period.
    @Test func preStopHookRunsBeforeTheStopSignal() throws {
        let shared = host.base + "/prestop-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: true)
        defer { host.cleanup(["hooked"]) }
        let path = host.manifest(
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: hooked
            spec:
              terminationGracePeriodSeconds: 10
              containers:
                - name: app
                  image: busybox:1.36
                  command: ["sh", "-c", "trap 'echo term >> /out/order; exit 0' TERM; while true; do sleep 0.2; done"]
                  lifecycle:
                    preStop:
                      exec:
                        command: ["sh", "-c", "echo prestop >> /out/order"]
                  volumeMounts:
                    - name: out
                      mountPath: /out
              volumes:
                - name: out
                  hostPath:
                    path: \(shared)
            """, name: "hooked")
        try #require(host.run(["run", path]).status == 0)
        let delete = host.run(["delete", "pod", "hooked"])
        #expect(delete.status == 0, "\(delete.stderr)")
        #expect((try? String(contentsOfFile: shared + "/order", encoding: .utf8)) == "prestop\nterm\n")
    }
}

extension Integration {
    /// postStart runs in the container after it starts; a failing one kills the container.
    @Test func postStartHookRunsAndAFailingOneRestartsTheContainer() throws {
        defer { host.cleanup(["poststart"]) }
        let path = host.manifest(
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: poststart
            spec:
              containers:
                - name: good
                  image: busybox:1.36
                  command: ["sleep", "3600"]
                  lifecycle:
                    postStart:
                      exec:
                        command: ["sh", "-c", "echo started > /tmp/hook"]
                - name: bad
                  image: busybox:1.36
                  command: ["sleep", "3600"]
                  lifecycle:
                    postStart:
                      exec:
                        command: ["false"]
            """, name: "poststart")
        _ = host.run(["apply", "-f", path])
        #expect(host.eventually(10) { host.run(["exec", "poststart", "-c", "good", "--", "cat", "/tmp/hook"]).stdout == "started\n" })
        var describe = ""
        #expect(
            host.eventually(10) {
                describe = host.run(["describe", "pod", "poststart"]).stdout
                return describe.contains("FailedPostStartHook")
            }, "\(describe)")
        var table = ""
        #expect(
            host.eventually(10) {
                table = host.run(["get", "pods"]).stdout
                return
                    (table.split(separator: "\n").last?.split(separator: " ", omittingEmptySubsequences: true).dropFirst(3).first.flatMap { Int($0) }
                    ?? 0) >= 1
            }, "the bad container restarts: \(table)")
    }
}
