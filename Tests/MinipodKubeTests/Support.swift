import Foundation
import MinipodSystem
import Testing

@testable import MinipodKube

/// The repo's examples/ directory, found from this file so tests run from any cwd.
func examplePath(_ name: String) -> String {
    var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    while dir.path != "/" {
        let candidate = dir.appendingPathComponent("examples").appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: candidate.path) { return candidate.path }
        dir.deleteLastPathComponent()
    }
    return "examples/\(name)"
}

/// The error the loader throws for `text`, as the user would see it.
func loadError(_ text: String, source: String = "pod.yaml", strict: Bool = false) -> String? {
    do {
        _ = try ManifestLoader.parse(text, source: source, strict: strict)
        return nil
    } catch let error as MinipodError {
        return error.description
    } catch {
        return "unexpected \(error)"
    }
}

/// A minimal valid manifest with `extra` spliced in under the container.
func manifest(container extra: String = "", spec: String = "", name: String = "demo") -> String {
    """
    apiVersion: v1
    kind: Pod
    metadata:
      name: \(name)
    spec:
      containers:
      - name: app
        image: busybox:1.36
    \(extra.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n"))
    \(spec.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n"))
    """
}

func pod(
    _ containers: [Container], initContainers: [Container]? = nil, volumes: [Volume]? = nil,
    status: PodStatus? = nil
) -> Pod {
    Pod(
        metadata: ObjectMeta(name: "demo", creationTimestamp: "2026-01-26T10:00:00Z"),
        spec: PodSpec(containers: containers, initContainers: initContainers, volumes: volumes),
        status: status)
}
