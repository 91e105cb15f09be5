import Foundation
import Testing

/// `-` names standard input, as in kubectl: `cat pod.yaml | minipod apply -f -`.
extension Integration {
    static func stdinPod(_ name: String) -> String {
        """
        apiVersion: v1
        kind: Pod
        metadata:
          name: \(name)
        spec:
          containers:
            - name: app
              image: busybox:1.36
              command: ["sleep", "3600"]
        """
    }

    @Test func runAndApplyReadTheManifestFromStandardInput() throws {
        defer { host.cleanup(["stdin-run", "stdin-apply"]) }
        let run = host.run(["run", "-"], stdin: Self.stdinPod("stdin-run"))
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "pod/stdin-run running\n", "\(run.stdout)")
        let apply = host.run(["apply", "-f", "-"], stdin: Self.stdinPod("stdin-apply"))
        #expect(apply.status == 0, "\(apply.stderr)")
        #expect(apply.stdout == "pod/stdin-apply created\n", "\(apply.stdout)")
        let again = host.run(["apply", "-f", "-"], stdin: Self.stdinPod("stdin-apply"))
        #expect(again.stdout == "pod/stdin-apply unchanged\n", "\(again.stdout) \(again.stderr)")
        #expect(host.eventually { host.run(["get", "pod", "stdin-apply"]).stdout.contains("Running") })
    }

    /// Errors name standard input as the manifest's source, as they name a file.
    @Test func aBadManifestOnStandardInputIsNamedStdin() {
        let bad = host.run(["apply", "-f", "-"], stdin: "apiVersion: v1\nkind: Pod\nmetadata:\n  name: Bad_Name\nspec:\n  containers: []\n")
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("<stdin>"), "\(bad.stderr)")
        #expect(bad.stderr.contains("metadata.name"), "\(bad.stderr)")
        let empty = host.run(["run", "-"], stdin: "")
        #expect(empty.status != 0)
        #expect(empty.stderr.contains("<stdin>") && empty.stderr.contains("empty"), "\(empty.stderr)")
    }
}
