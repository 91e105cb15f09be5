import Foundation
import Testing

extension Integration {
    /// Lab 2: both containers share one network namespace.
    @Test func localhostLabContainersShareNetworkAndIP() throws {
        defer { host.cleanup(["localhost-demo"]) }
        try #require(host.run(["run", host.example("localhost-demo.yaml")]).status == 0)
        let curl = host.run(["exec", "localhost-demo", "-c", "nginx", "--", "curl", "-s", "localhost:8080"])
        #expect(curl.stdout == "Hello from sidecar!\n", "\(curl.stderr)")
        let wget = host.run(["exec", "localhost-demo", "-c", "http-server", "--", "wget", "-qO-", "localhost:80"])
        #expect(wget.stdout.hasPrefix("<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>"))
        let ip = try #require(host.podIP("localhost-demo"))
        #expect(ip.hasPrefix("10.87.0."))
        let fromNginx = host.run(["exec", "localhost-demo", "-c", "nginx", "--", "hostname", "-i"]).stdout
        let fromBusybox = host.run(["exec", "localhost-demo", "-c", "http-server", "--", "hostname", "-i"]).stdout
        #expect(fromNginx == "\(ip)\n")
        #expect(fromBusybox == "\(ip)\n")
    }

    /// Lab 4: the init container runs first and alone; the watch shows each step.
    @Test func initSidecarLabWatchShowsInitThenRunning() throws {
        defer { host.cleanup(["init-sidecar-demo"]) }
        let (watch, output) = try host.start(["get", "pods", "-w"])
        defer { host.stop(watch) }
        usleep(300_000)
        let apply = host.run(["apply", "-f", host.example("init-sidecar.yaml")])
        #expect(apply.stdout == "pod/init-sidecar-demo created\n")
        var seen = ""
        let running = host.eventually(15) {
            seen += output.drain()
            return seen.contains("2/2") && seen.contains("Running")
        }
        #expect(running, "watch printed: \(seen)")
        let statuses = seen.split(separator: "\n").dropFirst().map { $0.split(separator: " ", omittingEmptySubsequences: true) }
            .filter { $0.count >= 3 }.map { "\($0[1]) \($0[2])" }
        #expect(statuses == ["0/2 Init:0/1", "0/2 PodInitializing", "2/2 Running"], "watch printed: \(seen)")
        #expect(seen.hasPrefix("NAME                READY   STATUS     RESTARTS   AGE\n"))

        let initLogs = host.run(["logs", "init-sidecar-demo", "-c", "init-content"]).stdout
        #expect(initLogs == "Init container starting...\nInit container done!\n")
        let page = host.run(["exec", "init-sidecar-demo", "-c", "nginx", "--", "cat", "/usr/share/nginx/html/index.html"]).stdout
        #expect(page.contains("<h1>Initialized by init container!</h1>"))
    }

    /// Lab 3: the sidecar rewrites the page every 10 s; logs and page agree.
    @Test func contentSyncLabUpdatesThePage() throws {
        defer { host.cleanup(["content-sync"]) }
        try #require(host.run(["run", host.example("content-sync.yaml")]).status == 0)
        let (follow, output) = try host.start(["logs", "-f", "content-sync", "-c", "content-updater"])
        defer { host.stop(follow) }
        let (forwarder, forwarded) = try host.start(["port-forward", "pod/content-sync", "18084:80"])
        defer { host.stop(forwarder) }
        #expect(host.eventually(5) { forwarded.drain().contains("Forwarding from 127.0.0.1:18084 -> 80") })
        var first = ""
        #expect(
            host.eventually(5) {
                first = shell("curl -s http://localhost:18084")
                return first.contains("Update #1")
            }, "\(first)")
        var followed = ""
        let second = host.eventually(15) {
            followed += output.drain()
            return followed.contains("Updated content to version 2")
        }
        #expect(second, "logs -f showed: \(followed)")
        #expect(followed.hasPrefix("Updated content to version 1\n"))
        // The page and the log agree: the sidecar wrote what nginx serves.
        #expect(shell("curl -s http://localhost:18084").contains("<h1>Update #2</h1>"))
    }
}

extension Integration {
    /// The tutorial's "Cleanup All": one delete for the four labs' pods, and the host is as before.
    @Test func cleanupAllRemovesEveryLabPod() throws {
        let before = HostSnapshot.take()
        let labs = ["sidecar-pod.yaml", "localhost-demo.yaml", "content-sync.yaml", "init-sidecar.yaml"]
        let names = ["sidecar-demo", "localhost-demo", "content-sync", "init-sidecar-demo"]
        defer { host.cleanup(names) }
        for lab in labs { try #require(host.run(["run", host.example(lab)]).status == 0, "\(lab)") }
        #expect(host.run(["get", "pods"]).stdout.split(separator: "\n").count == 5)
        let delete = host.run(["delete", "pod"] + names + ["--grace-period=2"])
        #expect(delete.status == 0, "\(delete.stderr)")
        #expect(delete.stdout.split(separator: "\n").count == 4)
        #expect(HostSnapshot.take() == before, "left: \(HostSnapshot.take())")
    }
}
