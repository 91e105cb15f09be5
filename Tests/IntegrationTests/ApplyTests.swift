import Foundation
import Testing

extension Integration {
    static func applyManifest(labels: String, image: String = "busybox:1.36") -> String {
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: apply-demo
          labels: {\(labels)}
        spec:
          containers:
            - name: app
              image: \(image)
              command: ["sleep", "3600"]
        """
    }

    /// kubectl apply on a pod that exists: unchanged, configured (labels), or
    /// refused for a spec change, which leaves the running pod as it was.
    @Test func applyReportsUnchangedConfiguresLabelsAndRefusesSpecChanges() throws {
        defer { host.cleanup(["apply-demo"]) }
        let first = host.manifest(Self.applyManifest(labels: "tier: a"))
        #expect(host.run(["apply", "-f", first]).stdout == "pod/apply-demo created\n")
        #expect(host.eventually(10) { host.run(["get", "pods", "apply-demo"]).stdout.contains("Running") })
        let uid = host.run(["get", "pod", "apply-demo", "-o", "jsonpath={.metadata.uid}"]).stdout

        let again = host.run(["apply", "-f", first])
        #expect(again.status == 0 && again.stdout == "pod/apply-demo unchanged\n", "\(again)")

        let relabeled = host.manifest(Self.applyManifest(labels: "tier: b"))
        let configured = host.run(["apply", "-f", relabeled])
        #expect(configured.status == 0 && configured.stdout == "pod/apply-demo configured\n", "\(configured)")
        #expect(host.run(["get", "pods", "-l", "tier=b"]).stdout.contains("apply-demo"))

        let newImage = host.manifest(Self.applyManifest(labels: "tier: b", image: "nginx:1.25"))
        let refused = host.run(["apply", "-f", newImage])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("The Pod \"apply-demo\" is invalid: spec: Forbidden")
                && refused.stderr.contains("spec.containers[0].image"), "\(refused.stderr)")
        // Still the same pod, running its first image, never restarted.
        #expect(host.run(["get", "pod", "apply-demo", "-o", "jsonpath={.metadata.uid}"]).stdout == uid)
        let row = host.run(["get", "pods", "apply-demo", "--no-headers"]).stdout
        #expect(row.contains("1/1") && row.contains("Running") && row.split(separator: " ", omittingEmptySubsequences: true)[3] == "0", "\(row)")
        #expect(host.run(["get", "pod", "apply-demo", "-o", "jsonpath={.spec.containers[0].image}"]).stdout == "busybox:1.36")

        // run is kubectl create: an existing pod is an error, whatever the manifest.
        let created = host.run(["run", first])
        #expect(created.status == 1 && created.stderr.contains("Error from server (AlreadyExists): pods \"apply-demo\" already exists"))

        #expect(host.run(["delete", "pods", "-l", "tier=a", "--grace-period=0"]).stderr == "No resources found\n")
        let deleted = host.run(["delete", "pods", "-l", "tier=b", "--grace-period=0"])
        #expect(deleted.status == 0 && deleted.stdout == "pod \"apply-demo\" deleted\n", "\(deleted)")
    }
}
