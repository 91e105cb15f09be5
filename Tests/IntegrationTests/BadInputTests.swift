import Foundation
import Testing

extension Integration {
    struct BadManifest: CustomTestStringConvertible, Sendable {
        let name: String
        let yaml: String
        let expected: String
        var testDescription: String { name }
    }

    static let badManifests: [BadManifest] = [
        BadManifest(name: "not YAML", yaml: "apiVersion: v1\nkind: Pod\nmetadata: [unclosed\n", expected: "error: "),
        BadManifest(
            name: "wrong kind", yaml: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\n",
            expected: "kind \"Deployment\" is not supported"),
        BadManifest(
            name: "missing volume",
            yaml: """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: bad-volume
                spec:
                  containers:
                    - name: app
                      image: busybox:1.36
                      command: ["sleep", "1000"]
                      volumeMounts:
                        - name: shared-log
                          mountPath: /logs
                """, expected: "spec.containers[0].volumeMounts[0].name: volume \"shared-log\" not found"),
        BadManifest(
            name: "unknown image",
            yaml: """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: bad-image
                spec:
                  containers:
                    - name: app
                      image: nosuchimage:9.9
                """, expected: "spec.containers[0].image: image \"nosuchimage:9.9\" is not present"),
    ]

    /// Bad input: one clear error naming the field, a non-zero exit, and nothing created.
    @Test(arguments: badManifests)
    func badManifestIsRejectedAndLeavesNothing(_ bad: BadManifest) throws {
        let before = HostSnapshot.take()
        let result = host.run(["run", host.manifest(bad.yaml)])
        #expect(result.status != 0)
        #expect(result.stderr.contains(bad.expected), "stderr: \(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(HostSnapshot.take() == before)
        #expect(host.run(["get", "pods"]).stdout.isEmpty)
    }

    /// A container whose command does not exist: `run` reports the cause and removes the pod.
    @Test func containerThatCannotStartIsReportedAndRemoved() throws {
        let before = HostSnapshot.take()
        let path = host.manifest(
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: bad-command
            spec:
              containers:
                - name: app
                  image: busybox:1.36
                  command: ["/bin/no-such-program"]
            """)
        let result = host.run(["run", path])
        defer { host.cleanup(["bad-command"]) }
        #expect(result.status != 0)
        #expect(result.stderr.contains("container app"), "\(result.stderr)")
        #expect(result.stderr.contains("/bin/no-such-program"), "\(result.stderr)")
        #expect(HostSnapshot.take() == before, "left: \(HostSnapshot.take())")
    }

    @Test func secondRunOfTheSamePodIsAlreadyExists() throws {
        defer { host.cleanup(["sidecar-demo"]) }
        try #require(host.run(["run", host.example("sidecar-pod.yaml")]).status == 0)
        let again = host.run(["run", host.example("sidecar-pod.yaml")])
        #expect(again.status != 0)
        #expect(again.stderr.contains("Error from server (AlreadyExists): pods \"sidecar-demo\" already exists"))
        #expect(host.run(["get", "pods"]).stdout.contains("2/2     Running"))
    }

    @Test func deletingAMissingPodIsNotFound() {
        let result = host.run(["delete", "pod", "no-such-pod"])
        #expect(result.status != 0)
        #expect(result.stderr == "Error from server (NotFound): pods \"no-such-pod\" not found\n")
    }
}
