import Foundation
import Testing

/// Issue 6's goal for a pod's supervisor: RSS ≤ 8 MB.
private let supervisorRSSLimitKiB = 8 << 10

extension Integration {
    /// What `ps -o rss` shows for a pod's supervisor stays within 8 MiB once the
    /// pod is up, and again after a container restart and client traffic grew
    /// it; the pod keeps working with its start-up code released.
    @Test func supervisorResidentSetStaysSmall() throws {
        let before = HostSnapshot.take()
        defer { host.cleanup(["sidecar-demo"]) }
        try #require(host.run(["run", host.example("sidecar-pod.yaml")]).status == 0)
        let supervisor = try #require(host.supervisorPID("sidecar-demo"), "no supervisor found")
        var rss = 0
        #expect(
            host.eventually(3) {
                rss = residentKiB(supervisor) ?? .max
                return rss <= supervisorRSSLimitKiB
            }, "RSS \(rss) KiB once Running")

        // A restart of nginx (SIGTERM to its pid 1 ends it), exec, logs and describe run code an idle supervisor does not.
        #expect(host.run(["exec", "sidecar-demo", "-c", "nginx", "--", "sh", "-c", "kill 1"]).status == 0)
        var table = ""
        #expect(
            host.eventually(15) {
                table = host.run(["get", "pods"]).stdout
                return table.contains("2/2     Running   1")
            }, "\(table)")
        #expect(host.run(["exec", "sidecar-demo", "-c", "nginx", "--", "true"]).status == 0)
        _ = host.run(["describe", "pod", "sidecar-demo"])
        let ip = try #require(host.podIP("sidecar-demo"))
        // Running is reported when nginx was started, not when it listens.
        #expect(host.eventually(5) { shell("curl -s --max-time 5 http://\(ip)/").contains("Welcome to nginx!") })
        #expect(
            host.eventually(8) {
                rss = residentKiB(supervisor) ?? .max
                return rss <= supervisorRSSLimitKiB
            }, "RSS \(rss) KiB after a restart")
        #expect(host.run(["delete", "pod", "sidecar-demo", "--grace-period=1"]).status == 0)
        #expect(HostSnapshot.take() == before, "left: \(HostSnapshot.take())")
    }

    /// A pod waiting on a slow init container is not up yet, but its supervisor sleeps all
    /// the same, without its start-up code.
    @Test func aPodWaitingForItsInitContainerKeepsItsSupervisorSmall() throws {
        let before = HostSnapshot.take()
        defer { host.cleanup(["slow-init"]) }
        let yaml = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: slow-init
            spec:
              terminationGracePeriodSeconds: 0
              initContainers:
                - name: wait
                  image: busybox:1.36
                  command: ["sleep", "60"]
              containers:
                - name: main
                  image: busybox:1.36
                  command: ["sleep", "60"]
            """
        let started = try host.start(["run", host.manifest(yaml)])
        defer { host.stop(started.0) }
        var table = ""
        #expect(
            host.eventually(10) {
                table = host.run(["get", "pods"]).stdout
                return table.contains("Init:0/1")
            }, "\(table)")
        let supervisor = try #require(host.supervisorPID("slow-init"), "no supervisor found")
        var rss = 0
        #expect(
            host.eventually(8) {
                rss = residentKiB(supervisor) ?? .max
                return rss <= supervisorRSSLimitKiB
            }, "RSS \(rss) KiB while Init:0/1")
        #expect(host.run(["delete", "pod", "slow-init", "--now"]).status == 0)
        #expect(host.eventually(10) { HostSnapshot.take() == before }, "left: \(HostSnapshot.take())")
    }

    /// An exec probe every second runs the container-spawning code each time; the
    /// supervisor sleeps less than a second between probes and still lets it go.
    @Test func aPodProbedEverySecondKeepsItsSupervisorSmall() throws {
        let before = HostSnapshot.take()
        defer { host.cleanup(["probed"]) }
        let yaml = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: probed
            spec:
              terminationGracePeriodSeconds: 0
              containers:
                - name: app
                  image: busybox:1.36
                  command: ["sleep", "60"]
                  readinessProbe:
                    exec:
                      command: ["true"]
                    periodSeconds: 1
            """
        try #require(host.run(["run", host.manifest(yaml)]).status == 0)
        #expect(host.eventually(5) { host.run(["get", "pods"]).stdout.contains("probed   1/1     Running") })
        let supervisor = try #require(host.supervisorPID("probed"), "no supervisor found")
        // Sampled over three probe periods, not just once.
        var samples: [Int] = []
        for _ in 1...6 {
            samples.append(residentKiB(supervisor) ?? .max)
            usleep(500_000)
        }
        #expect(samples.allSatisfy { $0 <= supervisorRSSLimitKiB }, "RSS KiB: \(samples)")
        #expect(host.run(["delete", "pod", "probed", "--now"]).status == 0)
        #expect(host.eventually(10) { HostSnapshot.take() == before }, "left: \(HostSnapshot.take())")
    }
}
