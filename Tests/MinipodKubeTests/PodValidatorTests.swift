import Foundation
import MinipodSystem
import Testing

@testable import MinipodKube

@Suite struct PodValidatorTests {
    func problems(_ pod: Pod) -> [String] { PodValidator.problems(in: pod).map(\.description) }

    let app = Container(name: "app", image: "busybox:1.36")

    @Test func labPodsAreValid() throws {
        for name in ["sidecar-pod.yaml", "init-sidecar.yaml", "localhost-demo.yaml", "content-sync.yaml"] {
            var pod = try #require(ManifestLoader.load(path: examplePath(name)).pods.first)
            #expect(problems(pod).isEmpty)
            PodDefaults.apply(to: &pod)
            #expect(problems(pod).isEmpty, "after defaults: \(name)")
        }
    }

    @Test func hostUsersFalseIsValidButNotWithTheHostsNetwork() throws {
        var own = pod([app])
        own.spec.hostUsers = false
        #expect(problems(own).isEmpty)
        own.spec.hostNetwork = true
        #expect(problems(own) == ["spec.hostNetwork: Forbidden: when `pod.Spec.HostUsers` is false"])
        let yaml = """
            apiVersion: v1
            kind: Pod
            metadata: {name: userns}
            spec:
              hostUsers: false
              containers: [{name: app, image: busybox:1.36}]
            """
        let loaded = try #require(ManifestLoader.load(data: Data(yaml.utf8), source: "test", strict: true).pods.first)
        #expect(loaded.spec.hostUsers == false)
        #expect(try PodPrinter.encodeYAML(loaded).contains("hostUsers: false"))
    }

    @Test func singleProblemKeepsFieldPath() {
        var bad = pod([app])
        bad.spec.containers[0].volumeMounts = [VolumeMount(name: "shared-log", mountPath: "/var/log/nginx")]
        #expect(
            throws: MinipodError(
                .invalidManifest, #"volume "shared-log" not found"#,
                field: "spec.containers[0].volumeMounts[0].name")
        ) {
            try PodValidator.validate(bad)
        }
    }

    @Test func severalProblemsOneLineEach() {
        var bad = pod([app, app])
        bad.metadata.name = "Bad_Name"
        bad.spec.restartPolicy = "Sometimes"
        #expect(
            throws: MinipodError(
                .invalidManifest,
                """
                metadata.name: invalid name "Bad_Name": must be a lowercase RFC 1123 subdomain (at most 253 characters of a-z, 0-9, '-' and '.', each dot-separated part starting and ending with a letter or digit)
                spec.restartPolicy: unsupported value "Sometimes": supported values: "Always", "OnFailure", "Never"
                spec.containers[1].name: duplicate container name "app" (names are unique across initContainers and containers)
                """)
        ) {
            try PodValidator.validate(bad)
        }
    }

    @Test func names() {
        #expect(NameRules.dnsLabel(String(repeating: "a", count: 63)) == nil)
        #expect(NameRules.dnsLabel(String(repeating: "a", count: 64)) != nil)
        for bad in ["", "-a", "a-", "A", "a.b", "a_b"] { #expect(NameRules.dnsLabel(bad) != nil, "\(bad)") }
        var p = pod([app])
        p.metadata.namespace = "My NS"
        p.spec.initContainers = [Container(name: "app", image: "busybox")]
        #expect(
            problems(p) == [
                #"metadata.namespace: invalid name "My NS": must be a lowercase RFC 1123 label (at most 63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit)"#,
                #"spec.containers[0].name: duplicate container name "app" (names are unique across initContainers and containers)"#,
            ])
    }

    /// Pod names are DNS subdomains, as the API server allows (ValidatePodName):
    /// dots, parts longer than 63, up to 253 in all. Container names stay labels.
    @Test func podNamesAreDNSSubdomains() {
        let longest = [String(repeating: "a", count: 100), String(repeating: "b", count: 100), String(repeating: "c", count: 51)]
            .joined(separator: ".")
        #expect(longest.count == 253)
        for good in ["web.v1.example", "a", "0", "a-b.c-d", String(repeating: "x", count: 64), longest] {
            var p = pod([app])
            p.metadata.name = good
            #expect(problems(p).isEmpty, "\(good)")
        }
        for bad in [longest + "d", "Web.v1", "a..b", ".a", "a.", "-a.b", "a.b-", "a.-b", "a_b.c", "a b"] {
            var p = pod([app])
            p.metadata.name = bad
            #expect(
                problems(p) == [
                    #"metadata.name: invalid name "\#(bad)": must be a lowercase RFC 1123 subdomain (at most 253 characters of a-z, 0-9, '-' and '.', each dot-separated part starting and ending with a letter or digit)"#
                ],
                "\(bad)")
        }
        var dotted = pod([Container(name: "web.v1", image: "busybox:1.36")])
        dotted.metadata.name = "web.v1"
        #expect(
            problems(dotted) == [
                #"spec.containers[0].name: invalid name "web.v1": must be a lowercase RFC 1123 label (at most 63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit)"#
            ])
    }

    /// kubelet's hostname for a pod: spec.hostname or the name, cut to 63
    /// characters without a trailing '-' or '.' (truncatePodHostnameIfNeeded).
    @Test func hostnameIsTheNameCutTo63Characters() {
        var p = pod([app])
        p.metadata.name = "web.v1.example"
        #expect(PodHostname.of(p) == "web.v1.example")
        p.metadata.name = String(repeating: "a", count: 62) + ".-b" + String(repeating: "c", count: 100)
        #expect(PodHostname.of(p) == String(repeating: "a", count: 62))
        p.metadata.name = String(repeating: "a", count: 80)
        #expect(PodHostname.of(p) == String(repeating: "a", count: 63))
        p.spec.hostname = "given"
        #expect(PodHostname.of(p) == "given")
    }

    @Test func volumes() {
        let p = pod(
            [app],
            volumes: [
                Volume(name: "data", emptyDir: EmptyDirVolumeSource()),
                Volume(name: "data", emptyDir: EmptyDirVolumeSource(medium: "HugePages")),
                Volume(name: "none"),
                Volume(name: "host", hostPath: HostPathVolumeSource(path: "relative", type: "Dir")),
                Volume(name: "both", emptyDir: EmptyDirVolumeSource(sizeLimit: "lots"), hostPath: HostPathVolumeSource(path: "/x")),
            ])
        #expect(
            problems(p) == [
                #"spec.volumes[1].name: duplicate volume name "data""#,
                #"spec.volumes[1].emptyDir.medium: unsupported value "HugePages": supported values: "", "Memory""#,
                "spec.volumes[2]: must specify a volume type (emptyDir or hostPath)",
                #"spec.volumes[3].hostPath.path: must be an absolute path, got "relative""#,
                #"spec.volumes[3].hostPath.type: unsupported value "Dir": supported values: "", "DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket", "CharDevice", "BlockDevice""#,
                "spec.volumes[4]: may not specify more than 1 volume type",
            ])
    }

    @Test func mounts() {
        var c = app
        c.volumeMounts = [
            VolumeMount(name: "data", mountPath: "data"),
            VolumeMount(name: "data", mountPath: "/a/../etc"),
            VolumeMount(name: "data", mountPath: "/logs"),
            VolumeMount(name: "data", mountPath: "/logs/", subPath: "/abs"),
            VolumeMount(name: "data", mountPath: "/sub", subPath: "a/../../b"),
            VolumeMount(name: "data", mountPath: "/ok", subPath: "nested/dir"),
        ]
        #expect(
            problems(pod([c], volumes: [Volume(name: "data", emptyDir: EmptyDirVolumeSource())])) == [
                #"spec.containers[0].volumeMounts[0].mountPath: must be an absolute path, got "data""#,
                "spec.containers[0].volumeMounts[1].mountPath: must not contain '..'",
                #"spec.containers[0].volumeMounts[3].mountPath: must be unique: "/logs/" is mounted twice"#,
                #"spec.containers[0].volumeMounts[3].subPath: must be a relative path, got "/abs""#,
                "spec.containers[0].volumeMounts[4].subPath: must not contain '..'",
            ])
    }

    @Test func ports() {
        var nginx = Container(
            name: "nginx", image: "nginx:1.25",
            ports: [
                ContainerPort(containerPort: 80), ContainerPort(containerPort: 0),
                ContainerPort(containerPort: 53, protocol: "udp"),
                ContainerPort(containerPort: 8443, name: "HTTPS", hostPort: 70000),
            ])
        let sidecar = Container(
            name: "sidecar", image: "busybox",
            ports: [
                ContainerPort(containerPort: 80, protocol: "TCP"),
                ContainerPort(containerPort: 80, hostPort: 8080, protocol: "UDP"),
                ContainerPort(containerPort: 81, hostPort: 8080),
            ])
        #expect(
            problems(pod([nginx, sidecar])) == [
                "spec.containers[0].ports[1].containerPort: must be between 1 and 65535, inclusive, got 0",
                #"spec.containers[0].ports[2].protocol: unsupported value "udp": supported values: "TCP", "UDP", "SCTP""#,
                #"spec.containers[0].ports[3].name: invalid port name "HTTPS": must be at most 15 characters of a-z, 0-9 and '-', contain a letter, and not start, end or double '-'"#,
                "spec.containers[0].ports[3].hostPort: must be between 1 and 65535, inclusive, got 70000",
                #"spec.containers[1].ports[0].containerPort: port 80/TCP is already declared by container "nginx" (containers of a pod share one network namespace)"#,
            ])
        nginx.ports = [ContainerPort(containerPort: 80, hostPort: 8080)]
        #expect(problems(pod([nginx, sidecar])).last == "spec.containers[1].ports[2].hostPort: duplicate host port 0.0.0.0:8080/TCP")
    }

    @Test func restartPolicies() {
        var main = app
        main.restartPolicy = "Always"
        var sidecar = Container(
            name: "sidecar", image: "busybox", restartPolicy: "Always",
            readinessProbe: Probe(exec: ExecAction(command: ["true"])))
        var initC = Container(
            name: "init", image: "busybox", restartPolicy: "Never",
            livenessProbe: Probe(exec: ExecAction(command: ["true"])))
        #expect(
            problems(pod([main], initContainers: [sidecar, initC])) == [
                #"spec.initContainers[1].restartPolicy: unsupported value "Never": supported values: "Always""#,
                "spec.initContainers[1].livenessProbe: may not be set for init containers without restartPolicy: Always",
                "spec.containers[0].restartPolicy: may only be set on init containers (restartPolicy: Always makes a native sidecar)",
            ])
        sidecar.restartPolicy = nil
        initC.restartPolicy = "Always"
        initC.livenessProbe = nil
        main.restartPolicy = nil
        #expect(
            problems(pod([main], initContainers: [sidecar, initC])) == [
                "spec.initContainers[0].readinessProbe: may not be set for init containers without restartPolicy: Always"
            ])
    }

    @Test func podLevelNumbersAndEnums() {
        var p = pod([app])
        p.spec.terminationGracePeriodSeconds = -1
        p.spec.dnsPolicy = "None"
        p.spec.hostAliases = [HostAlias(ip: "10.0.0.300", hostnames: ["x"]), HostAlias(ip: "::1")]
        p.spec.securityContext = PodSecurityContext(runAsUser: -5, seccompProfile: SeccompProfile(type: "Localhost"))
        #expect(
            problems(p) == [
                "spec.terminationGracePeriodSeconds: must be greater than or equal to 0, got -1",
                "spec.dnsConfig: must provide at least one nameserver when dnsPolicy is None",
                #"spec.hostAliases[0].ip: must be a valid IP address, got "10.0.0.300""#,
                "spec.securityContext.runAsUser: must be greater than or equal to 0, got -5",
                "spec.securityContext.seccompProfile.localhostProfile: is required when type is Localhost",
            ])
    }

    @Test func probes() {
        var c = app
        c.livenessProbe = Probe(
            exec: ExecAction(command: []), httpGet: HTTPGetAction(port: .int(0)),
            initialDelaySeconds: -1, successThreshold: 2)
        c.readinessProbe = Probe(
            tcpSocket: TCPSocketAction(port: .string("Web_Port")), periodSeconds: -10,
            terminationGracePeriodSeconds: 5)
        c.startupProbe = Probe()
        c.lifecycle = Lifecycle(preStop: LifecycleHandler(httpGet: HTTPGetAction(port: .string("http"), scheme: "FTP")))
        #expect(
            problems(pod([c])) == [
                "spec.containers[0].livenessProbe: may not specify more than 1 handler type",
                "spec.containers[0].livenessProbe.exec.command: is required",
                "spec.containers[0].livenessProbe.httpGet.port: must be between 1 and 65535, inclusive, got 0",
                "spec.containers[0].livenessProbe.initialDelaySeconds: must be greater than or equal to 0, got -1",
                "spec.containers[0].livenessProbe.successThreshold: must be 1",
                #"spec.containers[0].readinessProbe.tcpSocket.port: invalid port name "Web_Port": must be at most 15 characters of a-z, 0-9 and '-', contain a letter, and not start, end or double '-'"#,
                "spec.containers[0].readinessProbe.periodSeconds: must be greater than or equal to 0, got -10",
                "spec.containers[0].readinessProbe.terminationGracePeriodSeconds: must not be set for readinessProbes",
                "spec.containers[0].startupProbe: must specify a handler type (exec, httpGet or tcpSocket)",
                #"spec.containers[0].lifecycle.preStop.httpGet.scheme: unsupported value "FTP": supported values: "HTTP", "HTTPS""#,
            ])
    }

    @Test func imagesAndEnv() {
        let images = [
            "nginx", "nginx:1.25", "docker.io/library/nginx:1.25", "localhost:5000/a/b:v1",
            "Registry.Example.com:443/team/app@sha256:" + String(repeating: "a", count: 64),
        ]
        for image in images { #expect(NameRules.imageReference(image) == nil, "\(image)") }
        for image in ["Nginx", "nginx:", "nginx:1.25 ", "nginx@md5:x", "a//b"] {
            #expect(NameRules.imageReference(image) != nil, "\(image)")
        }
        var c = Container(
            name: "app", image: "busybox:1.36",
            env: [
                EnvVar(name: "GOOD_1", value: "x"), EnvVar(name: "my.var-2", value: "y"), EnvVar(name: "1BAD"),
                EnvVar(name: "POD_IP", valueFrom: EnvVarSource(fieldRef: ObjectFieldSelector(fieldPath: "status.podIP"))),
                EnvVar(name: "APP", valueFrom: EnvVarSource(fieldRef: ObjectFieldSelector(fieldPath: "metadata.labels['app']"))),
                EnvVar(name: "NODE", valueFrom: EnvVarSource(fieldRef: ObjectFieldSelector(fieldPath: "spec.nodeIP"))),
                EnvVar(name: "BOTH", value: "v", valueFrom: EnvVarSource(fieldRef: ObjectFieldSelector(fieldPath: "metadata.name"))),
            ])
        c.envFrom = [EnvFromSource(prefix: "X_")]
        let found = problems(pod([c]))
        #expect(found.count == 4)
        #expect(found[0] == "spec.containers[0].envFrom: envFrom is not supported by minipod")
        #expect(
            found[1]
                == #"spec.containers[0].env[2].name: invalid environment variable name "1BAD": must consist of letters, digits, '_', '-' or '.', and must not start with a digit"#
        )
        #expect(found[2].hasPrefix(#"spec.containers[0].env[5].valueFrom.fieldRef.fieldPath: unsupported value "spec.nodeIP""#))
        #expect(found[3] == "spec.containers[0].env[6].valueFrom: may not be specified when value is not empty")
    }

    @Test func resources() {
        var c = app
        c.resources = ResourceRequirements(
            limits: ["memory": "128Mi", "cpu": "500m", "nvidia.com/gpu": "1"],
            requests: ["memory": "256Mi", "cpu": "0.25", "ephemeral-storage": "ten"])
        #expect(
            problems(pod([c])) == [
                #"spec.containers[0].resources.limits: resource "nvidia.com/gpu" is not supported by minipod (cpu, memory, ephemeral-storage, hugepages-<size>)"#,
                #"spec.containers[0].resources.requests.ephemeral-storage: invalid quantity "ten": use a number with an optional suffix such as 128Mi, 1Gi, 500m"#,
                "spec.containers[0].resources.requests.memory: must be less than or equal to memory limit of 128Mi",
            ])
    }

    @Test func labels() {
        var p = pod([app])
        p.metadata.labels = ["app": "web", "example.com/tier": "front_end", "bad key": "x", "v": "-bad"]
        #expect(
            problems(p) == [
                #"metadata.labels: invalid label key "bad key": must be a name of at most 63 characters (letters, digits, '-', '_', '.') with an optional DNS prefix and '/'"#,
                #"metadata.labels.v: invalid label value "-bad": must be empty or at most 63 characters (letters, digits, '-', '_', '.') starting and ending with a letter or digit"#,
            ])
    }

    @Test func securityContext() {
        var c = app
        c.securityContext = SecurityContext(
            privileged: true, allowPrivilegeEscalation: false,
            seccompProfile: SeccompProfile(type: "RuntimeDefault", localhostProfile: "x.json"))
        #expect(
            problems(pod([c])) == [
                "spec.containers[0].securityContext: cannot set allowPrivilegeEscalation to false and privileged to true",
                "spec.containers[0].securityContext.seccompProfile.localhostProfile: may only be set when type is Localhost",
            ])
    }
}
