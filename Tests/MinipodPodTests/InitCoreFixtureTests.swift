import Foundation
import MinipodKube
import MinipodNet
import MinipodOCI
import Testing

@testable import MinipodPod

/// MinipodInitCoreTests run the setup against checked-in specs, so they depend on
/// MinipodInitCore alone; this keeps the pod one what SpecGenerator makes for the
/// sidecar lab's nginx with its log directory an emptyDir. The bundle's paths are
/// under /BUNDLE. MINIPOD_WRITE_FIXTURES=1 writes it afresh.
struct InitCoreFixtureTests {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("MinipodInitCoreTests/Fixtures/pod-nginx.json").path

    @Test func thePodFixtureIsSpecGeneratorsSpec() throws {
        var container = Container(name: "nginx", image: "nginx:1.25", command: ["nginx", "-g", "daemon off;"])
        container.volumeMounts = [VolumeMount(name: "logs", mountPath: "/var/log/nginx")]
        var podSpec = PodSpec(containers: [container])
        podSpec.volumes = [Volume(name: "logs", emptyDir: EmptyDirVolumeSource())]
        let pod = Pod(metadata: ObjectMeta(name: "lab", namespace: "default", uid: "u1"), spec: podSpec)
        let context = ContainerContext(
            pod: pod, container: container, imageConfig: nil, lowerDirs: ["/layers/a", "/layers/b"],
            containerDir: "/BUNDLE", sandbox: Sandbox(netns: "/run/netns/lab", uts: "/run/ns/uts", ipc: "/run/ns/ipc", user: "/run/ns/user"),
            hostNetwork: false, etcDir: "/BUNDLE/etc", volumeDirs: ["logs": "/BUNDLE/volumes/logs"], podIP: "10.86.0.7", passwd: nil)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let made = String(decoding: try encoder.encode(try SpecGenerator.spec(for: context)), as: UTF8.self) + "\n"
        if ProcessInfo.processInfo.environment["MINIPOD_WRITE_FIXTURES"] == "1" {
            try made.write(toFile: Self.path, atomically: true, encoding: .utf8)
        }
        #expect(made == (try String(contentsOfFile: Self.path, encoding: .utf8)), "run with MINIPOD_WRITE_FIXTURES=1 and review the diff")
    }
}
