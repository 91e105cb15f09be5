import Foundation
import Testing

extension Integration {
    static func applyManifest(labels: String, image: String = "busybox:1.36", seconds: Int = 3600) -> String {
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: apply-demo
          labels: {\(labels)}
        spec:
          terminationGracePeriodSeconds: 1
          containers:
            - name: app
              image: \(image)
              command: ["sleep", "\(seconds)"]
        """
    }

    /// kubectl apply on a pod that exists: unchanged; configured (labels, or a
    /// new image, which restarts the container with it); or refused for any
    /// other spec change, which leaves the running pod as it was.
    @Test func applyReportsUnchangedChangesLabelsAndImagesAndRefusesOtherSpecChanges() throws {
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

        let newCommand = host.manifest(Self.applyManifest(labels: "tier: b", seconds: 60))
        let refused = host.run(["apply", "-f", newCommand])
        #expect(refused.status == 1)
        #expect(
            refused.stderr.contains("The Pod \"apply-demo\" is invalid: spec: Forbidden")
                && refused.stderr.contains("spec.containers[0].command"), "\(refused.stderr)")
        let missingImage = host.manifest(Self.applyManifest(labels: "tier: b", image: "nosuch:9.9"))
        let notPresent = host.run(["apply", "-f", missingImage])
        #expect(
            notPresent.status == 1 && notPresent.stderr.contains("spec.containers[0].image: image \"nosuch:9.9\" is not present"), "\(notPresent)")
        // Still the same pod, running its first image, never restarted.
        #expect(host.run(["get", "pod", "apply-demo", "-o", "jsonpath={.metadata.uid}"]).stdout == uid)
        let row = host.run(["get", "pods", "apply-demo", "--no-headers"]).stdout
        #expect(row.contains("1/1") && row.contains("Running") && row.split(separator: " ", omittingEmptySubsequences: true)[3] == "0", "\(row)")
        #expect(host.run(["get", "pod", "apply-demo", "-o", "jsonpath={.spec.containers[0].image}"]).stdout == "busybox:1.36")

        // A new image is a changed container definition: kubelet stops the container
        // (grace 1 s: sleep as PID 1 ignores SIGTERM) and starts it with the new image.
        let newImage = host.manifest(Self.applyManifest(labels: "tier: b", image: "nginx:1.25"))
        let restarted = host.run(["apply", "-f", newImage])
        #expect(restarted.status == 0 && restarted.stdout == "pod/apply-demo configured\n", "\(restarted)")
        let status =
            "{.status.containerStatuses[0].image} {.status.containerStatuses[0].restartCount} {.status.containerStatuses[0].state.running.startedAt}"
        #expect(
            host.eventually(15) {
                let s = host.run(["get", "pod", "apply-demo", "-o", "jsonpath=" + status]).stdout.split(separator: " ")
                return s.count == 3 && s[0] == "docker.io/library/nginx:1.25" && s[1] == "1"
            }, "\(host.run(["get", "pod", "apply-demo", "-o", "yaml"]).stdout)")
        #expect(host.run(["exec", "apply-demo", "--", "test", "-x", "/usr/sbin/nginx"]).status == 0, "the nginx image's files")
        #expect(
            host.run(["get", "pod", "apply-demo", "-o", "jsonpath={.status.containerStatuses[0].lastState.terminated.exitCode}"]).stdout == "137")
        #expect(host.run(["describe", "pod", "apply-demo"]).stdout.contains("Container app definition changed, will be restarted"))
        #expect(host.run(["get", "pod", "apply-demo", "-o", "jsonpath={.metadata.uid}"]).stdout == uid, "the same pod")

        // run is kubectl create: an existing pod is an error, whatever the manifest.
        let created = host.run(["run", first])
        #expect(created.status == 1 && created.stderr.contains("Error from server (AlreadyExists): pods \"apply-demo\" already exists"))

        #expect(host.run(["delete", "pods", "-l", "tier=a", "--grace-period=0"]).stderr == "No resources found\n")
        let deleted = host.run(["delete", "pods", "-l", "tier=b", "--grace-period=0"])
        #expect(deleted.status == 0 && deleted.stdout == "pod \"apply-demo\" deleted\n", "\(deleted)")
    }
}

extension Integration {
    /// kubelet restarts only running containers for a new definition: a
    /// Completed container of a restartPolicy Never pod stays as it is.
    @Test func applyOfANewImageLeavesAFinishedContainerFinished() throws {
        defer { host.cleanup(["apply-done"]) }
        func manifest(_ image: String) -> String {
            host.manifest(
                """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: apply-done
                spec:
                  restartPolicy: Never
                  containers:
                    - name: once
                      image: \(image)
                      command: ["true"]
                """)
        }
        #expect(host.run(["apply", "-f", manifest("busybox:1.36")]).status == 0)
        #expect(host.eventually(10) { host.run(["get", "pods", "apply-done"]).stdout.contains("Completed") })
        let applied = host.run(["apply", "-f", manifest("nginx:1.25")])
        #expect(applied.status == 0 && applied.stdout == "pod/apply-done configured\n", "\(applied)")
        usleep(1_000_000)
        let row = host.run(["get", "pods", "apply-done", "--no-headers"]).stdout
        #expect(row.contains("0/1") && row.contains("Completed") && row.split(separator: " ", omittingEmptySubsequences: true)[3] == "0", "\(row)")
    }
}
