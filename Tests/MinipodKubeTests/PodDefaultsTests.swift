import Testing

@testable import MinipodKube

@Suite struct PodDefaultsTests {
    @Test func fillsWhatTheAPIServerFills() throws {
        var p = try #require(ManifestLoader.load(path: examplePath("init-sidecar.yaml")).pods.first)
        PodDefaults.apply(to: &p)
        #expect(p.metadata.namespace == "default")
        #expect(p.spec.restartPolicy == "Always")
        #expect(p.spec.terminationGracePeriodSeconds == 30)
        #expect(p.spec.dnsPolicy == "ClusterFirst")
        #expect(p.spec.schedulerName == "default-scheduler")
        #expect(p.spec.enableServiceLinks == true)
        for c in p.spec.allContainers {
            #expect(c.imagePullPolicy == "IfNotPresent")
            #expect(c.terminationMessagePath == "/dev/termination-log")
            #expect(c.terminationMessagePolicy == "File")
        }
        #expect(p.spec.containers[0].ports == [ContainerPort(containerPort: 80, protocol: "TCP")])
    }

    @Test func keepsWhatIsSet() {
        var p = pod([
            Container(
                name: "a", image: "busybox:1.36", ports: [ContainerPort(containerPort: 53, protocol: "UDP")],
                imagePullPolicy: "Never")
        ])
        p.metadata.namespace = "team"
        p.spec.restartPolicy = "Never"
        p.spec.terminationGracePeriodSeconds = 0
        PodDefaults.apply(to: &p)
        #expect(p.metadata.namespace == "team")
        #expect(p.spec.restartPolicy == "Never")
        #expect(p.spec.terminationGracePeriodSeconds == 0)
        #expect(p.spec.containers[0].imagePullPolicy == "Never")
        #expect(p.spec.containers[0].ports?[0].protocol == "UDP")
    }

    @Test(arguments: [
        ("nginx", "Always"), ("nginx:latest", "Always"), ("nginx:1.25", "IfNotPresent"),
        ("localhost:5000/app", "Always"), ("localhost:5000/app:v2", "IfNotPresent"),
        ("nginx@sha256:abc", "IfNotPresent"),
    ])
    func pullPolicy(image: String, expected: String) {
        #expect(PodDefaults.pullPolicy(for: image) == expected)
    }

    @Test func probeDefaults() {
        var c = Container(
            name: "a", image: "busybox:1.36",
            livenessProbe: Probe(httpGet: HTTPGetAction(port: .string("http")), periodSeconds: 0),
            readinessProbe: Probe(exec: ExecAction(command: ["true"]), timeoutSeconds: 5, failureThreshold: 1))
        c.ports = [ContainerPort(containerPort: 80, name: "http")]
        var p = pod([c])
        PodDefaults.apply(to: &p)
        let live = p.spec.containers[0].livenessProbe
        #expect(
            live
                == Probe(
                    httpGet: HTTPGetAction(port: .string("http"), path: "/", scheme: "HTTP"),
                    timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3))
        let ready = p.spec.containers[0].readinessProbe
        #expect(ready?.timeoutSeconds == 5)
        #expect(ready?.failureThreshold == 1)
        #expect(ready?.periodSeconds == 10)
    }

    @Test func hostNetworkHostPorts() {
        var p = pod([Container(name: "a", image: "busybox:1.36", ports: [ContainerPort(containerPort: 8080)])])
        p.spec.hostNetwork = true
        PodDefaults.apply(to: &p)
        #expect(p.spec.containers[0].ports?[0].hostPort == 8080)
        #expect(PodValidator.problems(in: p).isEmpty)
    }
}
