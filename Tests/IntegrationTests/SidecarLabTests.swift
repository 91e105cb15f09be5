import Foundation
import Testing

extension Integration {
    /// Lab 1, five times in a row: nginx writes its access log into the shared
    /// emptyDir and the sidecar's `tail -f` shows every request. That only works
    /// if nginx created access.log before the sidecar started (start order) and
    /// the emptyDir hid the image's /dev/stdout symlinks.
    @Test func sidecarLabShowsNginxRequestsInSidecarLogsFiveTimes() throws {
        let before = HostSnapshot.take()
        for round in 1...5 {
            defer { host.cleanup(["sidecar-demo"]) }
            let run = host.run(["run", host.example("sidecar-pod.yaml")])
            try #require(run.status == 0, "round \(round): \(run.stderr)")
            #expect(run.stdout == "pod/sidecar-demo running\n")

            let table = host.run(["get", "pods"]).stdout
            #expect(table.contains("sidecar-demo   2/2     Running   0"), "\(table)")

            let ip = try #require(host.podIP("sidecar-demo"))
            for _ in 1...3 {
                let page = shell("curl -s --max-time 5 http://\(ip)/")
                #expect(page.contains("<title>Welcome to nginx!</title>"))
                #expect(page.utf8.count == 615)
            }
            var logs = ""
            let sawAll = host.eventually(10) {
                logs = host.run(["logs", "sidecar-demo", "-c", "log-reader"]).stdout
                return logs.components(separatedBy: "\"GET / HTTP/1.1\" 200 615").count - 1 >= 3
            }
            #expect(sawAll, "round \(round): log-reader showed: \(logs)")
            #expect(logs.contains(" - - ["), "combined log format: \(logs)")

            let delete = host.run(["delete", "pod", "sidecar-demo", "--grace-period=1"])
            #expect(delete.status == 0)
            #expect(delete.stdout == "pod \"sidecar-demo\" deleted\n")
        }
        #expect(HostSnapshot.take() == before, "left behind: \(HostSnapshot.take())")
    }

    /// The emptyDir over /var/log/nginx starts empty: access.log is the real
    /// file nginx created, not the image's symlink to /dev/stdout (podman 4.3
    /// copies the links in, and the sidecar then sees nothing).
    @Test func emptyDirIsNotPrefilledFromTheImage() throws {
        defer { host.cleanup(["sidecar-demo"]) }
        try #require(host.run(["run", host.example("sidecar-pod.yaml")]).status == 0)
        let listing = host.run(["exec", "sidecar-demo", "-c", "nginx", "--", "ls", "-l", "/var/log/nginx/"])
        #expect(listing.status == 0)
        #expect(listing.stdout.contains("access.log"))
        #expect(!listing.stdout.contains("->"), "symlinks from the image leaked into the emptyDir: \(listing.stdout)")
        let sidecarView = host.run(["exec", "sidecar-demo", "-c", "log-reader", "--", "ls", "/var/log/nginx/"])
        #expect(sidecarView.stdout.split(separator: "\n").sorted() == ["access.log", "error.log"])
    }

    @Test func portForwardReachesNginxAndSurvivesRefusedConnections() throws {
        defer { host.cleanup(["sidecar-demo"]) }
        try #require(host.run(["run", host.example("sidecar-pod.yaml")]).status == 0)
        let (forwarder, output) = try host.start(["port-forward", "pod/sidecar-demo", ":80", "18081:81"])
        defer { host.stop(forwarder) }
        var firstLines = ""
        let ready = host.eventually(5) {
            firstLines = output.drain()
            return firstLines.contains("Forwarding from 127.0.0.1:")
        }
        try #require(ready, "port-forward printed: \(firstLines)")
        let port = try #require(
            firstLines.split(separator: "\n").first { $0.hasSuffix("-> 80") }?
                .split(separator: ":")[1].split(separator: " ").first.map(String.init))
        // Port 81 has no listener in the pod: that connection fails, the forwarder stays.
        _ = shell("curl -s --max-time 3 http://127.0.0.1:18081/")
        for _ in 1...20 {
            #expect(shell("curl -s --max-time 5 -o /dev/null -w '%{http_code}' http://127.0.0.1:\(port)/") == "200")
        }
        #expect(forwarder.isRunning)
        let logs = host.eventually(10) {
            host.run(["logs", "sidecar-demo", "-c", "log-reader"]).stdout.contains("127.0.0.1 - - [")
        }
        #expect(logs, "requests through port-forward come from the pod's localhost")
    }

    @Test func execRunsInTheContainerWithItsExitCode() throws {
        defer { host.cleanup(["sidecar-demo"]) }
        try #require(host.run(["run", host.example("sidecar-pod.yaml")]).status == 0)
        let three = host.run(["exec", "sidecar-demo", "-c", "nginx", "--", "sh", "-c", "exit 3"])
        #expect(three.status == 3)
        #expect(three.stderr.contains("command terminated with exit code 3"))
        let missing = host.run(["exec", "sidecar-demo", "-c", "nginx", "--", "no-such-command"])
        #expect(missing.status == 127)
        #expect(missing.stderr.contains("executable file not found in $PATH"))
        let echoed = host.run(["exec", "-i", "sidecar-demo", "-c", "log-reader", "--", "cat"], stdin: "hello through stdin\n")
        #expect(echoed.stdout == "hello through stdin\n")
        // The exec'd process has the container's restricted profile, not the host's.
        let status = host.run(["exec", "sidecar-demo", "-c", "log-reader", "--", "cat", "/proc/self/status"]).stdout
        #expect(status.contains("CapEff:\t00000000a80425fb"), "\(status)")
        #expect(status.contains("Seccomp:\t2"))
        let processes = host.run(["exec", "sidecar-demo", "-c", "log-reader", "--", "ps"]).stdout
        #expect(!processes.contains("nginx: master"), "containers of a pod have their own pid namespaces: \(processes)")
        #expect(processes.contains("tail -f"))
        let defaulted = host.run(["exec", "sidecar-demo", "--", "true"])
        #expect(defaulted.stderr.contains("Defaulted container \"nginx\" out of: nginx, log-reader"))
    }
}

extension Integration {
    /// 200 concurrent requests through one port-forward all succeed, and a big
    /// response arrives whole (the copy uses splice).
    @Test func portForwardCarriesManyConcurrentConnections() throws {
        defer { host.cleanup(["sidecar-demo"]) }
        try #require(host.run(["run", host.example("sidecar-pod.yaml")]).status == 0)
        let big = host.run([
            "exec", "sidecar-demo", "-c", "nginx", "--", "sh", "-c",
            "head -c 50000000 /dev/urandom > /usr/share/nginx/html/big && md5sum /usr/share/nginx/html/big | cut -d' ' -f1",
        ])
        try #require(big.status == 0, "\(big.stderr)")
        let (forwarder, output) = try host.start(["port-forward", "sidecar-demo", "18082:80"])
        defer { host.stop(forwarder) }
        #expect(host.eventually(5) { output.drain().contains("Forwarding from 127.0.0.1:18082 -> 80") })
        let codes = shell(
            "seq 200 | xargs -P 50 -I{} curl -s -o /dev/null --max-time 10 -w '%{http_code}\\n' http://127.0.0.1:18082/ | sort | uniq -c")
        #expect(codes.trimmingCharacters(in: .whitespacesAndNewlines) == "200 200", "\(codes)")
        let sum = shell("curl -s --max-time 30 http://127.0.0.1:18082/big | md5sum | cut -d' ' -f1")
        #expect(sum == big.stdout, "50 MB through the forwarder")
    }
}
