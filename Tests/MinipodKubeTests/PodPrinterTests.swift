import Foundation
import Testing

@testable import MinipodKube

/// Pods in the states `kubectl get pods` distinguishes, built by hand.
enum States {
    static let created = "2026-01-26T10:00:00Z"
    static let now = KubeTime.parse("2026-01-26T10:00:30Z")!

    static let nginx = Container(name: "nginx", image: "nginx:1.25")
    static let reader = Container(name: "log-reader", image: "busybox:1.36")
    static let initC = Container(name: "init-content", image: "busybox:1.36")

    static func running(_ name: String, ready: Bool = true, restarts: Int = 0, lastFinished: String? = nil) -> ContainerStatus {
        ContainerStatus(
            name: name, state: .running(since: created),
            lastState: lastFinished.map { ContainerState(terminated: ContainerStateTerminated(exitCode: 1, reason: "Error", finishedAt: $0)) }
                ?? ContainerState(),
            ready: ready, restartCount: restarts, started: true)
    }

    static func waiting(_ name: String, _ reason: String, restarts: Int = 0) -> ContainerStatus {
        ContainerStatus(name: name, state: .waiting(reason), restartCount: restarts, started: false)
    }

    static func terminated(_ name: String, exit: Int, reason: String? = nil, signal: Int? = nil) -> ContainerStatus {
        ContainerStatus(name: name, state: ContainerState(terminated: ContainerStateTerminated(exitCode: exit, signal: signal, reason: reason)))
    }

    static func pod(
        phase: String, initContainers: [Container]? = nil, inits: [ContainerStatus]? = nil,
        mains: [ContainerStatus]? = nil, conditions: [PodCondition]? = nil,
        containers: [Container] = [nginx, reader]
    ) -> Pod {
        Pod(
            metadata: ObjectMeta(name: "sidecar-demo", creationTimestamp: created, labels: ["app": "sidecar-demo"]),
            spec: PodSpec(containers: containers, initContainers: initContainers),
            status: PodStatus(phase: phase, conditions: conditions, initContainerStatuses: inits, containerStatuses: mains))
    }

    static let initialized = [PodCondition(type: "Initialized", status: "True")]
}

@Suite struct PodStatusStrings {
    typealias S = States

    @Test func pendingWithoutStatuses() {
        #expect(PodPrinter.statusString(for: S.pod(phase: "Pending")) == "Pending")
        #expect(PodPrinter.readyString(for: S.pod(phase: "Pending")) == "0/2")
    }

    @Test func containerCreating() {
        let p = S.pod(phase: "Pending", mains: [S.waiting("nginx", "ContainerCreating"), S.waiting("log-reader", "ContainerCreating")])
        #expect(PodPrinter.statusString(for: p) == "ContainerCreating")
    }

    @Test func running() {
        let p = S.pod(phase: "Running", mains: [S.running("nginx"), S.running("log-reader")])
        #expect(PodPrinter.statusString(for: p) == "Running")
        #expect(PodPrinter.readyString(for: p) == "2/2")
        #expect(PodPrinter.restartsString(for: p, now: S.now) == "0")
    }

    @Test func notReadyContainerStillRunning() {
        let p = S.pod(phase: "Running", mains: [S.running("nginx", ready: false), S.running("log-reader")])
        #expect(PodPrinter.statusString(for: p) == "Running")
        #expect(PodPrinter.readyString(for: p) == "1/2")
    }

    @Test func initStates() {
        let inits = [S.initC]
        #expect(
            PodPrinter.statusString(
                for: S.pod(
                    phase: "Pending", initContainers: inits,
                    inits: [S.running("init-content", ready: false)],
                    mains: [S.waiting("nginx", "PodInitializing")])) == "Init:0/1")
        #expect(
            PodPrinter.statusString(
                for: S.pod(
                    phase: "Pending", initContainers: inits,
                    inits: [S.waiting("init-content", "PodInitializing")])) == "Init:0/1")
        #expect(
            PodPrinter.statusString(
                for: S.pod(
                    phase: "Pending", initContainers: inits,
                    inits: [S.terminated("init-content", exit: 1, reason: "Error")])) == "Init:Error")
        #expect(
            PodPrinter.statusString(
                for: S.pod(
                    phase: "Pending", initContainers: inits,
                    inits: [S.terminated("init-content", exit: 3)])) == "Init:ExitCode:3")
        #expect(
            PodPrinter.statusString(
                for: S.pod(
                    phase: "Pending", initContainers: inits,
                    inits: [S.terminated("init-content", exit: 137, signal: 9)])) == "Init:Signal:9")
        let crashing = S.pod(
            phase: "Pending", initContainers: inits,
            inits: [S.waiting("init-content", "CrashLoopBackOff", restarts: 4)])
        #expect(PodPrinter.statusString(for: crashing) == "Init:CrashLoopBackOff")
        #expect(PodPrinter.restartsString(for: crashing, now: S.now) == "4")
        let twoInits = S.pod(
            phase: "Pending", initContainers: [S.initC, Container(name: "second", image: "busybox")],
            inits: [S.terminated("init-content", exit: 0, reason: "Completed"), S.running("second", ready: false)])
        #expect(PodPrinter.statusString(for: twoInits) == "Init:1/2")
    }

    @Test func podInitializingThenRunning() {
        let done = [S.terminated("init-content", exit: 0, reason: "Completed")]
        let starting = S.pod(
            phase: "Pending", initContainers: [S.initC], inits: done,
            mains: [S.waiting("nginx", "PodInitializing"), S.waiting("log-reader", "PodInitializing")],
            conditions: S.initialized)
        #expect(PodPrinter.statusString(for: starting) == "PodInitializing")
        #expect(PodPrinter.readyString(for: starting) == "0/2")
        let up = S.pod(
            phase: "Running", initContainers: [S.initC], inits: done,
            mains: [S.running("nginx"), S.running("log-reader")], conditions: S.initialized)
        #expect(PodPrinter.statusString(for: up) == "Running")
        #expect(PodPrinter.readyString(for: up) == "2/2")
    }

    @Test func completedErrorAndCrashLoop() {
        let completed = S.pod(
            phase: "Succeeded",
            mains: [
                S.terminated("nginx", exit: 0, reason: "Completed"),
                S.terminated("log-reader", exit: 0, reason: "Completed"),
            ])
        #expect(PodPrinter.statusString(for: completed) == "Completed")
        #expect(PodPrinter.readyString(for: completed) == "0/2")
        let failed = S.pod(
            phase: "Failed",
            mains: [
                S.terminated("nginx", exit: 1, reason: "Error"),
                S.terminated("log-reader", exit: 0, reason: "Completed"),
            ])
        // The first container in spec order wins: kubectl walks the list backwards.
        #expect(PodPrinter.statusString(for: failed) == "Error")
        let exitCode = S.pod(phase: "Failed", mains: [S.terminated("nginx", exit: 2)], containers: [S.nginx])
        #expect(PodPrinter.statusString(for: exitCode) == "ExitCode:2")
        let crash = S.pod(phase: "Running", mains: [S.running("nginx"), S.waiting("log-reader", "CrashLoopBackOff", restarts: 5)])
        #expect(PodPrinter.statusString(for: crash) == "CrashLoopBackOff")
        #expect(PodPrinter.readyString(for: crash) == "1/2")
    }

    @Test func completedBesideRunningIsRunningOrNotReady() {
        let mains = [S.running("nginx"), S.terminated("log-reader", exit: 0, reason: "Completed")]
        #expect(PodPrinter.statusString(for: S.pod(phase: "Running", mains: mains)) == "NotReady")
        #expect(
            PodPrinter.statusString(
                for: S.pod(
                    phase: "Running", mains: mains,
                    conditions: [PodCondition(type: "Ready", status: "True")])) == "Running")
    }

    @Test func terminating() {
        var p = S.pod(phase: "Running", mains: [S.running("nginx"), S.running("log-reader")])
        p.metadata.deletionTimestamp = "2026-01-26T10:00:20Z"
        #expect(PodPrinter.statusString(for: p) == "Terminating")
        var done = S.pod(phase: "Succeeded", mains: [S.terminated("nginx", exit: 0, reason: "Completed")], containers: [S.nginx])
        done.metadata.deletionTimestamp = "2026-01-26T10:00:20Z"
        #expect(PodPrinter.statusString(for: done) == "Completed")
    }

    @Test func nativeSidecar() {
        let sidecar = Container(name: "proxy", image: "busybox:1.36", restartPolicy: "Always")
        var started = S.running("proxy", restarts: 2, lastFinished: "2026-01-26T09:55:30Z")
        // Not started yet: still initializing.
        started.started = false
        let waiting = S.pod(phase: "Pending", initContainers: [sidecar], inits: [started], containers: [S.nginx])
        #expect(PodPrinter.statusString(for: waiting) == "Init:0/1")
        #expect(PodPrinter.readyString(for: waiting) == "0/2")
        started.started = true
        let up = S.pod(
            phase: "Running", initContainers: [sidecar], inits: [started],
            mains: [S.running("nginx", restarts: 1, lastFinished: "2026-01-26T09:59:00Z")],
            conditions: S.initialized, containers: [S.nginx])
        #expect(PodPrinter.statusString(for: up) == "Running")
        #expect(PodPrinter.readyString(for: up) == "2/2")
        #expect(PodPrinter.restartsString(for: up, now: S.now) == "3 (90s ago)")
    }

    @Test func restartsUseLatestFinish() {
        let p = S.pod(
            phase: "Running",
            mains: [
                S.running("nginx", restarts: 1, lastFinished: "2026-01-26T09:00:00Z"),
                S.running("log-reader", restarts: 2, lastFinished: "2026-01-26T09:55:00Z"),
            ])
        #expect(PodPrinter.restartsString(for: p, now: S.now) == "3 (5m30s ago)")
    }
}

@Suite struct PodTables {
    typealias S = States

    @Test func tutorialTable() {
        let p = S.pod(phase: "Running", mains: [S.running("nginx"), S.running("log-reader")])
        #expect(
            PodPrinter.table(pods: [p], now: S.now) == """
                NAME           READY   STATUS    RESTARTS   AGE
                sidecar-demo   2/2     Running   0          30s

                """)
    }

    @Test func initTableWithoutHeader() {
        var p = S.pod(phase: "Pending", initContainers: [S.initC], inits: [S.running("init-content", ready: false)])
        p.metadata.name = "init-sidecar-demo"
        #expect(
            PodPrinter.table(pods: [p], now: S.now, includeHeader: false)
                == "init-sidecar-demo   0/2   Init:0/1   0     30s\n", "widths come from the rows printed, as with --no-headers")
    }

    @Test func wideAndLabels() {
        var p = S.pod(phase: "Running", mains: [S.running("nginx"), S.running("log-reader", restarts: 3, lastFinished: "2026-01-26T09:55:00Z")])
        p.status?.podIPs = [PodIP(ip: "10.88.0.5")]
        p.status?.podIP = "10.88.0.5"
        p.spec.nodeName = "minipod"
        var q = S.pod(phase: "Pending")
        q.metadata.name = "x"
        q.metadata.labels = nil
        q.metadata.creationTimestamp = "2026-01-24T07:00:00Z"
        let expected = [
            "NAME           READY   STATUS    RESTARTS        AGE    IP          NODE      NOMINATED NODE   READINESS GATES   LABELS",
            "sidecar-demo   2/2     Running   3 (5m30s ago)   30s    10.88.0.5   minipod   <none>           <none>            app=sidecar-demo",
            "x              0/2     Pending   0               2d3h   <none>      <none>    <none>           <none>            <none>",
        ]
        #expect(
            PodPrinter.table(pods: [p, q], wide: true, showLabels: true, now: S.now)
                == expected.joined(separator: "\n") + "\n")
    }

    @Test func minimumColumnWidth() {
        #expect(TabWriter.format([["A", "B", "C"], ["1", "22", "3"]]) == "A     B     C\n1     22    3\n")
    }

    @Test func labelsSortedAndUnknownAge() {
        var p = S.pod(phase: "Pending")
        p.metadata.labels = ["tier": "web", "app": "x"]
        p.metadata.creationTimestamp = nil
        #expect(PodPrinter.labelsString(for: p) == "app=x,tier=web")
        #expect(PodPrinter.age(of: p, now: S.now) == "<unknown>")
    }
}

@Suite struct HumanDurationTests {
    // The table of apimachinery's duration_test.go (TestHumanDuration and its boundaries).
    @Test(
        arguments: [
            (1.0, "1s"), (70, "70s"), (190, "3m10s"), (70 * 60, "70m"), (47 * 3600, "47h"), (49 * 3600, "2d1h"),
            (Double(8 * 24 + 2) * 3600, "8d"), (367 * 24 * 3600, "367d"), (Double(365 * 2 * 24 + 25) * 3600, "2y1d"),
            (Double(365 * 8 * 24 + 2) * 3600, "8y"),
            (-2, "<invalid>"), (-1.999999999, "0s"), (0, "0s"), (0.999, "0s"), (119.999, "119s"), (120, "2m"),
            (121, "2m1s"), (599.999, "9m59s"), (600, "10m"), (601, "10m"), (3 * 3600 - 0.001, "179m"), (3 * 3600, "3h"),
            (3 * 3600 + 60, "3h1m"), (8 * 3600 - 0.001, "7h59m"), (8 * 3600, "8h"), (8 * 3600 + 59 * 60, "8h"),
            (48 * 3600 - 0.001, "47h"), (48 * 3600, "2d"), (49 * 3600, "2d1h"), (8 * 86400 - 0.001, "7d23h"),
            (8 * 86400, "8d"), (8 * 86400 + 23 * 3600, "8d"), (2 * 365 * 86400 - 0.001, "729d"), (2 * 365 * 86400, "2y"),
            (2 * 365 * 86400 + 23 * 3600, "2y"), (2 * 365 * 86400 + 86400, "2y1d"), (3 * 365 * 86400, "3y"),
            (8 * 365 * 86400 - 0.001, "7y364d"), (8 * 365 * 86400, "8y"), (9 * 365 * 86400, "9y"),
        ] as [(Double, String)])
    func humanDurationMatchesKubernetes(seconds: Double, expected: String) {
        #expect(humanDuration(seconds) == expected)
    }
}

@Suite struct EncodingTests {
    @Test func statusEncodesLikeTheAPI() throws {
        let p = States.pod(phase: "Running", mains: [States.running("nginx")], containers: [States.nginx])
        let yaml = try PodPrinter.encodeYAML(p)
        #expect(
            yaml == """
                apiVersion: v1
                kind: Pod
                metadata:
                  creationTimestamp: "2026-01-26T10:00:00Z"
                  labels:
                    app: sidecar-demo
                  name: sidecar-demo
                spec:
                  containers:
                  - image: nginx:1.25
                    name: nginx
                status:
                  containerStatuses:
                  - image: ""
                    imageID: ""
                    lastState: {}
                    name: nginx
                    ready: true
                    restartCount: 0
                    started: true
                    state:
                      running:
                        startedAt: "2026-01-26T10:00:00Z"
                  phase: Running

                """)
        #expect(!yaml.contains("null"))
    }

    @Test func jsonIsKubectlShaped() throws {
        let p = Pod(
            metadata: ObjectMeta(name: "a", labels: ["app": "<web>"]),
            spec: PodSpec(containers: [Container(name: "c", image: "busybox:1.36", command: ["sh", "-c", "a && b"])]))
        #expect(
            try PodPrinter.encodeJSON(p) == """
                {
                    "apiVersion": "v1",
                    "kind": "Pod",
                    "metadata": {
                        "labels": {
                            "app": "\\u003cweb\\u003e"
                        },
                        "name": "a"
                    },
                    "spec": {
                        "containers": [
                            {
                                "command": [
                                    "sh",
                                    "-c",
                                    "a \\u0026\\u0026 b"
                                ],
                                "image": "busybox:1.36",
                                "name": "c"
                            }
                        ]
                    }
                }

                """)
    }

    @Test func roundTripsThroughJSONDecoder() throws {
        var p = try #require(ManifestLoader.load(path: examplePath("content-sync.yaml")).pods.first)
        PodDefaults.apply(to: &p)
        p.status = PodStatus(
            phase: "Running", conditions: States.initialized, podIP: "10.88.0.5",
            containerStatuses: [States.running("nginx", restarts: 1, lastFinished: "2026-01-26T09:00:00Z")])
        let decoded = try JSONDecoder().decode(Pod.self, from: Data(try PodPrinter.encodeJSON(p).utf8))
        #expect(decoded == p)
    }

    @Test func timestamps() {
        #expect(KubeTime.format(Date(timeIntervalSince1970: 1_769_421_600.75)) == "2026-01-26T10:00:00Z")
        #expect(KubeTime.parse("2026-01-26T10:00:00Z") == Date(timeIntervalSince1970: 1_769_421_600))
        #expect(KubeTime.parse("2026-01-26T11:00:00+01:00") == Date(timeIntervalSince1970: 1_769_421_600))
        #expect(KubeTime.parse("2026-01-26T10:00:00.5Z") == Date(timeIntervalSince1970: 1_769_421_600.5))
        #expect(KubeTime.parse("yesterday") == nil)
    }
}

/// `get pods a b` with b missing: a is printed, b is NotFound.
struct NamedPodsTests {
    @Test func foundPodsInTheOrderAskedAndMissingNames() {
        let pods = ["a", "b", "c"].map { name in
            var p = pod([Container(name: "app", image: "busybox:1.36")])
            p.metadata.name = name
            return p
        }
        let picked = NamedPods(pods, names: ["c", "x", "a", "y"])
        #expect(picked.found.map(\.metadata.name) == ["c", "a"])
        #expect(picked.missing == ["x", "y"])
        #expect(NamedPods(pods, names: []).found.isEmpty)
        #expect(NamedPods.notFound("x") == #"Error from server (NotFound): pods "x" not found"#)
    }
}
