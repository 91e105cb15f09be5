import Foundation
import MinipodSystem
import Testing

@testable import MinipodKube

@Suite struct LabManifests {
    @Test func sidecarPod() throws {
        let load = try ManifestLoader.load(path: examplePath("sidecar-pod.yaml"))
        #expect(load.warnings.isEmpty)
        let pod = try #require(load.pods.first)
        #expect(pod.metadata.name == "sidecar-demo")
        #expect(pod.metadata.labels == ["app": "sidecar-demo"])
        #expect(pod.spec.containers.map(\.name) == ["nginx", "log-reader"])
        #expect(pod.spec.containers[0].ports == [ContainerPort(containerPort: 80)])
        #expect(pod.spec.containers[1].command == ["sh", "-c", "tail -f /var/log/nginx/access.log 2>/dev/null || sleep infinity"])
        #expect(pod.spec.containers[1].volumeMounts == [VolumeMount(name: "shared-logs", mountPath: "/var/log/nginx")])
        #expect(pod.spec.volumes == [Volume(name: "shared-logs", emptyDir: EmptyDirVolumeSource())])
    }

    @Test func initSidecar() throws {
        let pod = try #require(ManifestLoader.load(path: examplePath("init-sidecar.yaml")).pods.first)
        #expect(pod.spec.initContainers?.map(\.name) == ["init-content"])
        #expect(pod.spec.initContainers?[0].command?[2].hasPrefix("echo \"Init container starting...\"\n") == true)
        #expect(pod.spec.containers[0].volumeMounts?.map(\.name) == ["html", "logs"])
        #expect(pod.spec.volumes?.map(\.name) == ["html", "logs"])
    }

    @Test func localhostDemo() throws {
        let pod = try #require(ManifestLoader.load(path: examplePath("localhost-demo.yaml")).pods.first)
        #expect(pod.spec.containers.compactMap { $0.ports?.first?.containerPort } == [80, 8080])
        #expect(pod.spec.volumes == nil)
    }

    @Test func contentSync() throws {
        let pod = try #require(ManifestLoader.load(path: examplePath("content-sync.yaml")).pods.first)
        let script = try #require(pod.spec.containers[1].command?.last)
        #expect(script.hasPrefix("COUNT=0\nwhile true; do\n  COUNT=$((COUNT + 1))\n"))
        #expect(script.hasSuffix("  sleep 10\ndone\n"))
    }

    @Test func missingFileIsNotFound() {
        #expect(throws: MinipodError(.notFound, "cannot read manifest /nonexistent/x.yaml")) {
            try ManifestLoader.load(path: "/nonexistent/x.yaml")
        }
    }
}

@Suite struct ManifestDocuments {
    @Test func multipleDocumentsAndEmptyOnesSkipped() throws {
        let text = manifest(name: "one") + "\n---\n---\n" + manifest(name: "two")
        let load = try ManifestLoader.parse(text, source: "pods.yaml")
        #expect(load.pods.map(\.metadata.name) == ["one", "two"])
    }

    @Test func otherKindRejectedByDocumentNumber() {
        let text = manifest() + "\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
        #expect(
            loadError(text, source: "sidecar.yaml")
                == #"sidecar.yaml: document 2: kind "Deployment" is not supported by minipod (only Pod)"#)
    }

    @Test func listOfPods() throws {
        let text = """
            apiVersion: v1
            kind: List
            items:
            - apiVersion: v1
              kind: Pod
              metadata: {name: a}
              spec: {containers: [{name: c, image: "busybox:1.36"}]}
            - apiVersion: v1
              kind: Pod
              metadata: {name: b}
              spec: {containers: [{name: c, image: "busybox:1.36"}]}
            """
        #expect(try ManifestLoader.parse(text, source: "list.yaml").pods.map(\.metadata.name) == ["a", "b"])
    }

    @Test func listItemOfOtherKind() {
        let text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: s}\n"
        #expect(loadError(text) == #"pod.yaml: items[0]: kind "Service" is not supported by minipod (only Pod)"#)
    }

    @Test func jsonManifestWithTabs() throws {
        let json =
            "{\n\t\"apiVersion\": \"v1\",\n\t\"kind\": \"Pod\",\n\t\"metadata\": {\"name\": \"j\"},\n"
            + "\t\"spec\": {\"containers\": [{\"name\": \"c\", \"image\": \"busybox:1.36\", \"ports\": [{\"containerPort\": 80}]}]}\n}\n"
        let pod = try #require(ManifestLoader.parse(json, source: "pod.json").pods.first)
        #expect(pod.metadata.name == "j")
        #expect(pod.spec.containers[0].ports?[0].containerPort == 80)
    }

    @Test func kubectlOutputRoundTrips() throws {
        // What `get -o yaml` prints (server fields, status, defaults) loads back as the same spec.
        var original = try #require(ManifestLoader.load(path: examplePath("init-sidecar.yaml")).pods.first)
        PodDefaults.apply(to: &original)
        original.metadata.uid = "0b7c"
        original.metadata.creationTimestamp = "2026-01-26T10:00:00Z"
        original.status = PodStatus(phase: "Running", podIP: "10.88.0.5")
        let load = try ManifestLoader.parse(try PodPrinter.encodeYAML(original), source: "out.yaml")
        #expect(load.warnings.isEmpty)
        #expect(load.pods.first?.spec == original.spec)
        #expect(load.pods.first?.metadata.uid == nil)
        #expect(load.pods.first?.status == nil)
    }

    @Test func mergeKeysExpand() throws {
        let text = """
            apiVersion: v1
            kind: Pod
            metadata: {name: m}
            spec:
              containers:
              - &base {name: a, image: "busybox:1.36", command: [sleep, "1"]}
              - <<: *base
                name: b
            """
        let pod = try #require(ManifestLoader.parse(text, source: "m.yaml").pods.first)
        #expect(pod.spec.containers.map(\.name) == ["a", "b"])
        #expect(pod.spec.containers[1].command == ["sleep", "1"])
    }
}

@Suite struct ManifestErrors {
    @Test func notYAML() {
        #expect(
            loadError("metadata: [a, b\nspec: x", source: "bad.yaml")
                == "bad.yaml: not valid YAML: line 2, column 5: did not find expected ',' or ']' (while parsing a flow sequence)")
    }

    @Test func emptyFile() {
        #expect(loadError("", source: "e.yaml") == "e.yaml: no Pod found: the manifest is empty")
        #expect(loadError("# only a comment\n---\n", source: "e.yaml") == "e.yaml: no Pod found: the manifest is empty")
    }

    @Test func topLevelNotMapping() {
        #expect(
            loadError("- a\n- b\n")
                == "pod.yaml: expected a Pod (a mapping with apiVersion, kind, metadata, spec), got a list")
        #expect(
            loadError("just text")
                == #"pod.yaml: expected a Pod (a mapping with apiVersion, kind, metadata, spec), got "just text""#)
    }

    @Test func missingApiVersionAndKind() {
        #expect(
            loadError("metadata: {name: x}\n")
                == "pod.yaml: apiVersion: is required (apiVersion: v1)\npod.yaml: kind: is required (kind: Pod)")
    }

    @Test func wrongApiVersion() {
        let text = manifest().replacingOccurrences(of: "apiVersion: v1", with: "apiVersion: v2")
        #expect(loadError(text) == #"pod.yaml: apiVersion "v2" is not supported, use "v1""#)
    }

    @Test func missingName() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  labels: {app: x}\nspec:\n  containers: [{name: a, image: busybox}]\n"
        #expect(loadError(text) == "pod.yaml: metadata.name: is required")
    }

    @Test func missingOrEmptyContainers() {
        let base = "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n"
        #expect(loadError(base + "spec: {}\n") == "pod.yaml: spec.containers: must have at least one container")
        #expect(loadError(base + "spec: {containers: []}\n") == "pod.yaml: spec.containers: must have at least one container")
        #expect(loadError(base) == "pod.yaml: spec.containers: must have at least one container")
    }

    @Test func containerWithoutNameOrImage() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec:\n  containers:\n  - command: [sh]\n"
        #expect(
            loadError(text)
                == "pod.yaml: spec.containers[0].name: is required\npod.yaml: spec.containers[0].image: is required")
    }

    @Test func wrongTypes() {
        #expect(
            loadError(manifest(container: "ports:\n- containerPort: eighty"))
                == #"pod.yaml: spec.containers[0].ports[0].containerPort: expected an integer, got "eighty""#)
        #expect(
            loadError(manifest(container: "tty: maybe"))
                == #"pod.yaml: spec.containers[0].tty: expected true or false, got "maybe""#)
        #expect(
            loadError(manifest(container: "command: sleep 1"))
                == #"pod.yaml: spec.containers[0].command: expected a list, got "sleep 1""#)
        #expect(
            loadError(manifest(container: "env:\n- name: PORT\n  value: 80"))
                == #"pod.yaml: spec.containers[0].env[0].value: expected a string, got 80 (quote it: "80")"#)
        #expect(
            loadError(manifest(spec: "volumes: emptyDir"))
                == #"pod.yaml: spec.volumes: expected a list, got "emptyDir""#)
    }

    @Test func quotedNumberIsNotAnInteger() {
        #expect(
            loadError(manifest(container: "ports:\n- containerPort: \"80\""))
                == #"pod.yaml: spec.containers[0].ports[0].containerPort: expected an integer, got "80""#)
    }

    @Test func volumeNotFoundNamesFileAndField() {
        let text = manifest(
            container: "volumeMounts:\n- name: shared-log\n  mountPath: /var/log/nginx",
            spec: "volumes:\n- name: shared-logs\n  emptyDir: {}")
        #expect(
            loadError(text, source: "sidecar.yaml")
                == #"sidecar.yaml: spec.containers[0].volumeMounts[0].name: volume "shared-log" not found"#)
    }

    @Test func tooLarge() {
        let text = manifest() + "\n" + String(repeating: "# padding\n", count: 110_000)
        #expect(loadError(text) == "pod.yaml: manifest is larger than 1 MiB")
    }

    @Test func tooDeepFlow() {
        let text = "a: " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(loadError(text) == "pod.yaml: YAML nesting is deeper than 64 levels")
    }

    @Test func tooDeepCompactSequences() {
        let text = String(repeating: "- ", count: 200_000) + "x\n"
        #expect(loadError(text) == "pod.yaml: YAML nesting is deeper than 64 levels")
    }

    @Test func tooDeepButParseable() {
        // 70 levels passes the cheap text estimate; the exact check catches it.
        let text = "a: " + String(repeating: "[", count: 70) + String(repeating: "]", count: 70)
        #expect(loadError(text) == "pod.yaml: YAML nesting is deeper than 64 levels")
    }

    @Test func billionLaughs() {
        var text = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for i in 1...9 {
            text += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        let start = Date()
        #expect(
            loadError(text)
                == #"pod.yaml: YAML expands to more than 100000 nodes (aliases that multiply, a "billion laughs"?)"#)
        #expect(Date().timeIntervalSince(start) < 2)
    }

    @Test func bracketsInBlockScalarsAndQuotesDoNotCount() throws {
        let script = String(repeating: "[ [ { ", count: 100)
        let text = manifest(container: "command:\n- sh\n- -c\n- |\n  \(script)\n- '\(script)'\nargs: [\"\(script)\"]")
        #expect(try ManifestLoader.parse(text, source: "p.yaml").pods.count == 1)
    }
}

@Suite struct UnknownAndUnsupportedFields {
    static let typo = manifest(container: "volumeMount:\n- name: x\n  mountPath: /x")

    @Test func unknownFieldIsAWarning() throws {
        let load = try ManifestLoader.parse(Self.typo, source: "sidecar.yaml")
        #expect(load.pods.count == 1)
        #expect(load.warnings == [#"sidecar.yaml: unknown field "spec.containers[0].volumeMount" (did you mean "volumeMounts"?)"#])
    }

    @Test func unknownFieldIsAnErrorWhenStrict() {
        #expect(
            loadError(Self.typo, source: "sidecar.yaml", strict: true)
                == #"sidecar.yaml: unknown field "spec.containers[0].volumeMount" (did you mean "volumeMounts"?)"#)
    }

    @Test func misplacedField() throws {
        // image belongs to a container, not to the pod spec
        let load = try ManifestLoader.parse(manifest(spec: "image: nginx"), source: "p.yaml")
        #expect(load.warnings == [#"p.yaml: unknown field "spec.image""#])
    }

    @Test func everyUnknownFieldReported() throws {
        let text = manifest(container: "imagePolicy: Always\nport: 80", spec: "restartpolicy: Never") + "\nextra: 1\n"
        let load = try ManifestLoader.parse(text, source: "p.yaml")
        #expect(
            Set(load.warnings) == [
                #"p.yaml: unknown field "extra""#,
                #"p.yaml: unknown field "spec.containers[0].imagePolicy""#,
                #"p.yaml: unknown field "spec.containers[0].port" (did you mean "ports"?)"#,
                #"p.yaml: unknown field "spec.restartpolicy" (did you mean "restartPolicy"?)"#,
            ])
    }

    @Test func duplicateField() throws {
        let text = manifest(container: "image: nginx:1.25")
        #expect(
            try ManifestLoader.parse(text, source: "p.yaml").warnings
                == [#"p.yaml: duplicate field "spec.containers[0].image""#])
    }

    @Test func envFromUnsupported() {
        #expect(
            loadError(manifest(container: "envFrom:\n- configMapRef: {name: cfg}"))
                == "pod.yaml: spec.containers[0].envFrom: envFrom is not supported by minipod (no ConfigMaps or Secrets); list the variables under env"
        )
    }

    @Test func volumeTypeUnsupported() {
        let text = manifest(
            container: "volumeMounts: [{name: cfg, mountPath: /etc/cfg}]",
            spec: "volumes:\n- name: cfg\n  configMap: {name: app-config}")
        #expect(
            loadError(text)
                == #"pod.yaml: spec.volumes[0].configMap: volume type "configMap" is not supported by minipod (only emptyDir and hostPath)"#)
    }

    @Test func ephemeralContainersUnsupported() {
        #expect(
            loadError(manifest(spec: "ephemeralContainers: []"))
                == "pod.yaml: spec.ephemeralContainers: ephemeralContainers is not supported by minipod")
    }

    @Test func schedulingFieldsWarn() throws {
        let load = try ManifestLoader.parse(manifest(spec: "nodeSelector: {disk: ssd}"), source: "p.yaml")
        #expect(load.warnings == ["p.yaml: spec.nodeSelector: ignored by minipod (one node, no scheduler)"])
    }
}
