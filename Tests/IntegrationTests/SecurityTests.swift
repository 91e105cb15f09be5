import Foundation
import Testing

extension Integration {
    /// What a container with the default profile must not be able to do.
    @Test func defaultProfileRefusesHostLevelOperations() throws {
        defer { host.cleanup(["sidecar-demo"]) }
        try #require(host.run(["run", host.example("sidecar-pod.yaml")]).status == 0)
        func inPod(_ script: String) -> TestHost.Result {
            host.run(["exec", "sidecar-demo", "-c", "log-reader", "--", "sh", "-c", script])
        }
        #expect(inPod("mount -t tmpfs none /mnt").status != 0, "mount must be refused")
        #expect(inPod("cat /proc/kcore | head -c 1 | wc -c").stdout == "0\n", "/proc/kcore is masked")
        #expect(inPod("echo 1 > /proc/sys/kernel/panic").status != 0, "/proc/sys is read-only")
        #expect(inPod("echo 1 > /proc/sysrq-trigger").status != 0)
        #expect(inPod("unshare -n true").status != 0, "new namespaces are refused")
        // The container's devices cgroup allows only the default devices (a made block node cannot be opened).
        let devices = shell("cat /sys/fs/cgroup/devices/minipod-test/*/log-reader/devices.list 2>/dev/null")
        if FileManager.default.fileExists(atPath: "/sys/fs/cgroup/devices") {
            #expect(!devices.contains("a *:* rwm") && devices.contains("c 1:3 rwm") && !devices.contains("b 254"), "\(devices)")
        }
        #expect(inPod("ls /sys/firmware | wc -l").stdout == "0\n", "/sys/firmware is masked")
        #expect(inPod("cat /proc/1/cmdline | tr '\\0' ' '").stdout.hasPrefix("sh -c tail -f"), "pid 1 is the container's own")
    }

    /// Dropping CAP_NET_RAW stops ping, as on Kubernetes.
    @Test func droppingNetRawStopsPing() throws {
        defer { host.cleanup(["pinger"]) }
        let path = host.manifest(
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: pinger
            spec:
              containers:
                - name: with-raw
                  image: busybox:1.36
                  command: ["sleep", "3600"]
                - name: without-raw
                  image: busybox:1.36
                  command: ["sleep", "3600"]
                  securityContext:
                    capabilities:
                      drop: ["NET_RAW"]
            """, name: "pinger")
        try #require(host.run(["run", path]).status == 0)
        #expect(host.run(["exec", "pinger", "-c", "with-raw", "--", "ping", "-c", "1", "-W", "2", "127.0.0.1"]).status == 0)
        let refused = host.run(["exec", "pinger", "-c", "without-raw", "--", "ping", "-c", "1", "-W", "2", "127.0.0.1"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("permission denied") || refused.stderr.contains("Operation not permitted"), "\(refused.stderr)")
    }

    /// Large output is not truncated and stderr stays separate.
    @Test func execCarriesLargeOutputAndSeparatesStderr() throws {
        defer { host.cleanup(["sidecar-demo"]) }
        try #require(host.run(["run", host.example("sidecar-pod.yaml")]).status == 0)
        let size = shell(
            "env \(host.environment.filter { $0.key.hasPrefix("MINIPOD_") }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")) \(host.binary) exec sidecar-demo -c log-reader -- head -c 104857600 /dev/zero | wc -c"
        )
        #expect(size.trimmingCharacters(in: .whitespacesAndNewlines) == "104857600")
        let split = host.run(["exec", "sidecar-demo", "-c", "log-reader", "--", "sh", "-c", "echo out; echo err >&2"])
        #expect(split.stdout == "out\n")
        #expect(split.stderr == "err\n")
    }
}

extension Integration {
    /// CVE-2019-5736: an exec'd process is minipod-init, a host binary, until its
    /// execve. A test hook stops it at the last moment, when it already has the
    /// container's identity (capabilities, seccomp); the container's root then must
    /// not be able to resolve or open its /proc/<pid>/exe (the route to overwrite
    /// the runtime on the host). minipod-init is non-dumpable for this.
    @Test func runtimeBinaryIsNotReachableFromTheContainer() throws {
        defer { host.cleanup(["sidecar-demo"]) }
        try #require(host.run(["run", host.example("sidecar-pod.yaml")]).status == 0)
        let (stopped, _) = try host.start(
            ["exec", "sidecar-demo", "-c", "nginx", "--", "true"], extraEnvironment: ["MINIPOD_FAULT": "init-stop-before-execve"])
        defer { host.stop(stopped) }
        let probe = """
            for p in /proc/[0-9]*; do
              grep -q '^State:.*stopped' $p/status 2>/dev/null || continue
              echo "stopped $p"
              readlink $p/exe && echo "resolved $p"
              head -c 4 $p/exe > /dev/null && echo "opened $p"
            done
            """
        var seen = ""
        #expect(
            host.eventually(5) {
                seen = host.run(["exec", "sidecar-demo", "-c", "nginx", "--", "sh", "-c", probe]).stdout
                return seen.contains("stopped /proc/")
            }, "the stopped minipod-init never showed in the container: \(seen)")
        #expect(!seen.contains("resolved") && !seen.contains("opened") && !seen.contains("minipod-init"), "\(seen)")
    }
}
