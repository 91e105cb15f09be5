import Foundation
import Testing

extension Integration {
    /// readinessProbe (httpGet) decides READY; the pod is Running but 0/1 until the probe passes.
    @Test func readinessProbeGatesReady() throws {
        defer { host.cleanup(["probed"]) }
        let path = host.manifest(
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: probed
            spec:
              containers:
                - name: web
                  image: busybox:1.36
                  command: ["sh", "-c", "mkdir -p /www; echo hi > /www/index.html; (sleep 2; echo ok > /www/ready) & exec httpd -f -p 8080 -h /www"]
                  ports:
                    - name: http
                      containerPort: 8080
                  readinessProbe:
                    httpGet:
                      path: /ready
                      port: http
                    periodSeconds: 1
            """, name: "probed")
        try #require(host.run(["run", path]).status == 0)
        #expect(host.run(["get", "pods"]).stdout.contains("probed   0/1     Running"))
        var table = ""
        #expect(
            host.eventually(8) {
                table = host.run(["get", "pods"]).stdout
                return table.contains("probed   1/1     Running")
            }, "\(table)")
        let describe = host.run(["describe", "pod", "probed"]).stdout
        #expect(describe.contains("Readiness:      http-get http://:http/ready"), "\(describe)")
        #expect(describe.contains("Warning  Unhealthy"), "\(describe)")
    }

    /// livenessProbe (exec) failing restarts the container; the events say why.
    @Test func livenessProbeFailureRestartsTheContainer() throws {
        defer { host.cleanup(["liveness"]) }
        let path = host.manifest(
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: liveness
            spec:
              containers:
                - name: app
                  image: busybox:1.36
                  command: ["sh", "-c", "touch /tmp/healthy; sleep 2; rm /tmp/healthy; sleep 600"]
                  livenessProbe:
                    exec:
                      command: ["cat", "/tmp/healthy"]
                    initialDelaySeconds: 1
                    periodSeconds: 1
                    failureThreshold: 1
            """, name: "liveness")
        try #require(host.run(["run", path]).status == 0)
        let started = Date()
        var table = ""
        #expect(
            host.eventually(10) {
                table = host.run(["get", "pods"]).stdout
                return table.split(separator: "\n").last?.split(separator: " ", omittingEmptySubsequences: true).dropFirst(3).first.flatMap {
                    Int($0)
                } ?? 0 >= 1
            }, "\(table)")
        #expect(Date().timeIntervalSince(started) >= 2, "healthy for 2 s: no restart before the file is removed")
        let describe = host.run(["describe", "pod", "liveness"]).stdout
        #expect(describe.contains("Liveness probe failed"), "\(describe)")
        #expect(describe.contains("Container app failed liveness probe, will be restarted"))
    }
}
