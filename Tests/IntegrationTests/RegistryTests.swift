import Foundation
import Testing

/// A real registry on the loopback (Debian's docker-registry), filled by skopeo from the
/// test busybox archive: `minipod image pull`, pods that pull, and what failures say.
/// Each test starts its own registry and stops it on every path.
final class LocalRegistry {
    let port: Int
    let dir: String
    let process: Process
    var host: String { "127.0.0.1:\(port)" }

    init(base: String) throws {
        for tool in ["/usr/bin/docker-registry", "/usr/bin/skopeo"] where !FileManager.default.isExecutableFile(atPath: tool) {
            throw IntegrationSetupError(message: "\(tool) is missing: run Scripts/install-deps (packages docker-registry, skopeo)")
        }
        guard
            let port = Int(
                shell("python3 -c 'import socket; s = socket.socket(); s.bind((\"127.0.0.1\", 0)); print(s.getsockname()[1])'")
                    .trimmingCharacters(in: .whitespacesAndNewlines))
        else { throw IntegrationSetupError(message: "no free port") }
        self.port = port
        dir = base + "/registry-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir + "/storage", withIntermediateDirectories: true)
        try """
        version: 0.1
        log:
          level: error
        storage:
          filesystem:
            rootdirectory: \(dir)/storage
        http:
          addr: 127.0.0.1:\(port)
        """.write(toFile: dir + "/config.yml", atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/docker-registry")
        process.arguments = ["serve", dir + "/config.yml"]
        FileManager.default.createFile(atPath: dir + "/registry.log", contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + "/registry.log"))
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(15)
        while shell("curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:\(port)/v2/") != "200" {
            guard Date() < deadline, process.isRunning else {
                stop()
                throw IntegrationSetupError(
                    message:
                        "docker-registry did not answer on \(host): \((try? String(contentsOfFile: dir + "/registry.log", encoding: .utf8)) ?? "")")
            }
            usleep(50_000)
        }
    }

    /// skopeo copies an image archive into the registry (as a user's `skopeo copy` or `podman push` would).
    func push(_ archive: String, as name: String) -> String {
        shell("skopeo --insecure-policy copy --quiet --dest-tls-verify=false docker-archive:\(archive) docker://\(host)/\(name) 2>&1; echo status=$?")
    }

    /// The file that holds a blob in the registry's filesystem storage.
    func storedBlob(_ digest: String) -> String {
        let hex = String(digest.dropFirst("sha256:".count))
        return "\(dir)/storage/docker/registry/v2/blobs/sha256/\(hex.prefix(2))/\(hex)/data"
    }

    /// SIGTERM, then SIGKILL after 5 s; safe to call twice.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    var isGone: Bool { !process.isRunning && kill(process.processIdentifier, 0) != 0 }
}

extension Integration {
    var busyboxArchive: String {
        (ProcessInfo.processInfo.environment["MINIPOD_IMAGE_DIR"] ?? "/var/cache/minipod/images") + "/busybox_1.36.tar"
    }

    func busyboxPod(_ name: String, image: String, policy: String? = nil, say: String = "pulled") -> String {
        host.manifest(
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: \(name)
            spec:
              restartPolicy: Never
              containers:
                - name: app
                  image: \(image)
            \(policy.map { "      imagePullPolicy: \($0)" } ?? "")
                  command: ["echo", "\(say)"]
            """)
    }

    /// Pushed with skopeo, pulled by minipod: same image id as the archive loaded locally;
    /// a pod whose image is missing pulls it (IfNotPresent with a registry host) and runs.
    @Test func registryPullGivesTheSameImageAndRunsAPod() throws {
        let before = HostSnapshot.take()
        let registry = try LocalRegistry(base: host.base)
        defer {
            registry.stop()
            #expect(registry.isGone, "docker-registry still runs")
        }
        let name = "\(registry.host)/test/busybox:1.36"
        defer {
            host.cleanup(["pulled-pod"])
            host.run(["image", "rm", name])
        }
        let pushed = registry.push(busyboxArchive, as: "test/busybox:1.36")
        try #require(pushed.hasSuffix("status=0\n"), "skopeo: \(pushed)")

        let localID = try #require(imageID("busybox:1.36"))
        let pull = host.run(["image", "pull", name])
        #expect(pull.status == 0, "\(pull.stderr)")
        #expect(pull.stdout == localID + "\n")
        #expect(pull.stderr.hasPrefix("Trying to pull \(name)...\n"), "\(pull.stderr)")
        #expect(pull.stderr.contains("Copying blob sha256:"), "\(pull.stderr)")
        #expect(pull.stderr.contains("Writing manifest to image destination"), "\(pull.stderr)")
        let row = host.run(["image", "ls"]).stdout.split(separator: "\n").first { $0.hasPrefix("\(registry.host)/test/busybox ") }
        #expect(
            row.map { $0.split(separator: " ", omittingEmptySubsequences: true).prefix(3).joined(separator: " ") }
                == "\(registry.host)/test/busybox 1.36 \(localID.prefix(12))", "\(row ?? "no row")")
        #expect(imageID(name) == localID)

        // Pulled again: every blob is already there.
        let again = host.run(["image", "pull", name])
        #expect(again.status == 0 && again.stderr.contains("skipped: already exists") && !again.stderr.contains(" done\n"), "\(again.stderr)")

        // The pod's image is not present: creating the pod pulls it.
        #expect(host.run(["image", "rm", name]).status == 0)
        let run = host.run(["run", busyboxPod("pulled-pod", image: name)])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("Trying to pull \(name)..."), "\(run.stderr)")
        #expect(host.eventually(10) { host.run(["logs", "pulled-pod"]).stdout == "pulled\n" }, "\(host.run(["logs", "pulled-pod"]))")
        #expect(imageID(name) == localID)

        host.cleanup(["pulled-pod"])
        registry.stop()
        #expect(registry.isGone)
        #expect(host.eventually(5) { HostSnapshot.take() == before }, "left: \(HostSnapshot.take())")
    }

    /// A missing tag, a corrupted blob and a stopped registry: one clear error naming the
    /// image, exit 1, and nothing of the image left in the store.
    @Test func registryPullFailuresAreClearAndLeaveNothing() throws {
        let registry = try LocalRegistry(base: host.base)
        defer {
            registry.stop()
            #expect(registry.isGone, "docker-registry still runs")
        }
        let pushed = registry.push(busyboxArchive, as: "test/busybox:1.36")
        try #require(pushed.hasSuffix("status=0\n"), "skopeo: \(pushed)")

        let missing = host.run(["image", "pull", "\(registry.host)/test/busybox:nope"])
        #expect(missing.status == 1)
        #expect(
            missing.stderr.contains("error: image \"\(registry.host)/test/busybox:nope\" not found in registry \(registry.host)"), "\(missing.stderr)"
        )
        #expect(missing.stdout.isEmpty)

        // Flip a byte of the layer as the registry stores it; pull into an empty store.
        let manifest = shell(
            "curl -s -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' http://\(registry.host)/v2/test/busybox/manifests/1.36")
        let doc = try JSONSerialization.jsonObject(with: Data(manifest.utf8)) as? [String: Any]
        let layer = try #require(((doc?["layers"] as? [[String: Any]])?.first?["digest"]) as? String, "\(manifest)")
        let stored = registry.storedBlob(layer)
        let corrupt = shell("printf 'X' | dd of=\(stored) bs=1 seek=100 conv=notrunc status=none && echo ok")
        try #require(corrupt == "ok\n", "cannot corrupt \(stored)")
        let root = host.base + "/pullroot-\(UUID().uuidString)"
        let bad = host.run(["image", "pull", "\(registry.host)/test/busybox:1.36"], extraEnvironment: ["MINIPOD_ROOT": root])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("blob \(layer) of \"\(registry.host)/test/busybox:1.36\" does not match its digest"), "\(bad.stderr)")
        for dir in ["images/blobs/sha256", "layers", "tmp"] {
            let left = (try? FileManager.default.contentsOfDirectory(atPath: root + "/" + dir)) ?? []
            #expect(left.isEmpty, "\(dir) holds \(left)")
        }
        #expect(host.run(["image", "ls"], extraEnvironment: ["MINIPOD_ROOT": root]).stdout.split(separator: "\n").count == 1)

        registry.stop()
        #expect(registry.isGone)
        let refused = host.run(["image", "pull", "\(registry.host)/test/busybox:1.36"])
        #expect(refused.status == 1)
        #expect(
            refused.stderr.contains("cannot pull \"\(registry.host)/test/busybox:1.36\": registry \(registry.host) is unreachable"),
            "\(refused.stderr)")
    }

    /// imagePullPolicy when pods are created: Never refuses a missing image; Always with an
    /// unreachable registry is ErrImagePull; docker.io images stay usable offline.
    @Test func registryPullPolicies() throws {
        let before = HostSnapshot.take()
        defer { host.cleanup(["never-pod", "always-pod", "offline-pod", "absent-pod"]) }
        let closed = shell("python3 -c 'import socket; s = socket.socket(); s.bind((\"127.0.0.1\", 0)); print(s.getsockname()[1])'")
            .trimmingCharacters(in: .whitespacesAndNewlines)

        let never = host.run(["run", busyboxPod("never-pod", image: "127.0.0.1:\(closed)/test/busybox:1.36", policy: "Never")])
        #expect(never.status == 1)
        #expect(
            never.stderr.contains(
                "spec.containers[0].image: image \"127.0.0.1:\(closed)/test/busybox:1.36\" is not present and imagePullPolicy is Never (ErrImageNeverPull)"
            ), "\(never.stderr)")

        let always = host.run(["run", busyboxPod("always-pod", image: "127.0.0.1:\(closed)/test/busybox:1.36", policy: "Always")])
        #expect(always.status == 1)
        #expect(
            always.stderr.contains(
                "spec.containers[0].image: ErrImagePull: cannot pull \"127.0.0.1:\(closed)/test/busybox:1.36\": registry 127.0.0.1:\(closed) is unreachable"
            ), "\(always.stderr)")
        #expect(always.stderr.contains("(imagePullPolicy Always)"), "\(always.stderr)")

        // docker.io cannot be reached here: the local busybox:1.36 is used, with a warning.
        let offline = host.run(
            ["run", busyboxPod("offline-pod", image: "busybox:1.36", policy: "Always", say: "offline")],
            extraEnvironment: ["MINIPOD_DOCKER_IO_MIRROR": ""])
        #expect(offline.status == 0, "\(offline.stderr)")
        #expect(offline.stderr.contains("Warning: cannot pull \"busybox:1.36\": registry docker.io is unreachable"), "\(offline.stderr)")
        #expect(offline.stderr.contains("using the local copy (imagePullPolicy Always)"), "\(offline.stderr)")
        #expect(host.eventually(10) { host.run(["logs", "offline-pod"]).stdout == "offline\n" })

        let absent = host.run(
            ["run", busyboxPod("absent-pod", image: "busybox:0.0", policy: "Always")],
            extraEnvironment: ["MINIPOD_DOCKER_IO_MIRROR": ""])
        #expect(absent.status == 1)
        #expect(absent.stderr.contains("ErrImagePull") && absent.stderr.contains("load it with `minipod image load FILE`"), "\(absent.stderr)")

        host.cleanup(["offline-pod"])
        #expect(host.eventually(5) { HostSnapshot.take() == before }, "left: \(HostSnapshot.take())")
    }

    func imageID(_ name: String) -> String? {
        let inspect = host.run(["image", "inspect", name])
        guard inspect.status == 0, let docs = try? JSONSerialization.jsonObject(with: Data(inspect.stdout.utf8)) as? [[String: Any]],
            let id = docs.first?["Id"] as? String
        else { return nil }
        return String(id.dropFirst("sha256:".count))
    }
}
