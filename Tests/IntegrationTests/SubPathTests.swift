import Foundation
import Testing

/// A subPath never leads a mount out of its volume (CVE-2017-1002101 and
/// CVE-2021-25741): whatever symlink a container of the pod puts in a shared
/// volume, the container that mounts it with a subPath does not start, and
/// the host directory the link names is neither read nor written.
extension Integration {
    /// A host directory a pod must not reach, with a file in it; the test reads it back from the host.
    func hostDirectoryOutOfReach(_ name: String) throws -> String {
        let dir = host.base + "/out-of-reach-\(name)"
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: true)
        try "secret\n".write(toFile: dir + "/file", atomically: true, encoding: .utf8)
        return dir
    }

    func listing(_ dir: String) -> String { shell("cd '\(dir)' && find . | sort && cat file") }

    /// An init container plants `plant` (shell, in /vol) in an emptyDir; the main container
    /// mounts the volume at /x with `mount` (a subPath or subPathExpr line) and tries to
    /// read and write there.
    func subPathPod(_ name: String, plant: String, mount: String, env: String = "") -> String {
        host.manifest(
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: \(name)
            spec:
              restartPolicy: Never
              initContainers:
                - name: plant
                  image: busybox:1.36
                  command: ["sh", "-c", \(jsonString(plant))]
                  volumeMounts: [{name: shared, mountPath: /vol}]
              containers:
                - name: reader
                  image: busybox:1.36
                  command: ["sh", "-c", "cat /x/file; echo pwned > /x/written; sleep 3600"]
            \(env)
                  volumeMounts:
                    - name: shared
                      mountPath: /x
                      \(mount)
              volumes:
                - name: shared
                  emptyDir: {}
            """, name: name)
    }

    func jsonString(_ s: String) -> String {
        String(decoding: try! JSONEncoder().encode(s), as: UTF8.self)
    }

    @Test(arguments: [
        ("last", "ln -s OUT /vol/escape", "subPath: escape"),
        ("middle", "ln -s OUT /vol/mid", "subPath: mid/sub"),
        ("relative", "ln -s ../../../../../../../../../../../../..OUT /vol/up", "subPath: up"),
        ("chain", "ln -s b /vol/a && ln -s c /vol/b && ln -s OUT /vol/c", "subPath: a"),
        ("dotdot-inside", "mkdir /vol/d && ln -s ../../../../../../../../../../../.. /vol/d/up", "subPath: d/up/OUTREL"),
        ("expr", "ln -s OUT /vol/escape", "subPathExpr: $(TARGET)"),
    ])
    func subPathSymlinkOutOfTheVolumeIsRefused(variant: String, plant: String, mount: String) throws {
        let name = "subpath-\(variant)"
        defer { host.cleanup([name]) }
        let outside = try hostDirectoryOutOfReach(variant)
        let before = listing(outside)
        let env = mount.hasPrefix("subPathExpr") ? "      env: [{name: TARGET, value: escape}]" : ""
        let planted = plant.replacingOccurrences(of: "OUTREL", with: String(outside.dropFirst()))
            .replacingOccurrences(of: "OUT", with: outside)
        let run = host.run(["run", subPathPod(name, plant: planted, mount: mount, env: env)])
        #expect(run.status != 0, "\(run.stdout)")
        #expect(run.stderr.contains("failed to prepare subPath for volumeMount \"shared\" of container \"reader\""), "\(run.stderr)")
        #expect(run.stderr.contains("leads outside"), "\(run.stderr)")
        #expect(!run.stdout.contains("secret") && !run.stderr.contains("secret"))
        #expect(listing(outside) == before, "the host directory changed")

        // apply keeps the pod, as a cluster does, with kubelet's reason.
        let applied = host.run(["apply", "-f", subPathPod(name, plant: planted, mount: mount, env: env)])
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(
            host.eventually { host.run(["get", "pod", name]).stdout.contains("CreateContainerConfigError") },
            "\(host.run(["get", "pod", name]).stdout)")
        #expect(host.run(["describe", "pod", name]).stdout.contains("failed to prepare subPath"))
        #expect(listing(outside) == before, "the host directory changed")
    }

    /// What Kubernetes allows: a symlink that stays inside the volume, and a missing
    /// subPath, made as a directory inside the volume.
    @Test func subPathInsideTheVolumeWorksAndMissingDirectoriesAreMade() throws {
        defer { host.cleanup(["subpath-inside"]) }
        let path = host.manifest(
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: subpath-inside
            spec:
              initContainers:
                - name: plant
                  image: busybox:1.36
                  command: ["sh", "-c", "mkdir -p /vol/real && echo inside > /vol/real/file && ln -s real /vol/link"]
                  volumeMounts: [{name: shared, mountPath: /vol}]
              containers:
                - name: linked
                  image: busybox:1.36
                  command: ["sh", "-c", "cat /x/file > /x/seen; sleep 3600"]
                  volumeMounts: [{name: shared, mountPath: /x, subPath: link}]
                - name: made
                  image: busybox:1.36
                  command: ["sh", "-c", "echo made > /y/file; sleep 3600"]
                  volumeMounts: [{name: shared, mountPath: /y, subPath: new/deep}]
                - name: viewer
                  image: busybox:1.36
                  command: ["sleep", "3600"]
                  volumeMounts: [{name: shared, mountPath: /vol}]
              volumes:
                - name: shared
                  emptyDir: {}
            """, name: "subpath-inside")
        let run = host.run(["run", path])
        try #require(run.status == 0, "\(run.stderr)")
        let seen = host.eventually {
            host.run(["exec", "subpath-inside", "-c", "viewer", "--", "cat", "/vol/real/seen", "/vol/new/deep/file"]).stdout == "inside\nmade\n"
        }
        #expect(seen, "\(host.run(["exec", "subpath-inside", "-c", "viewer", "--", "find", "/vol"]).stdout)")
        let mode = host.run(["exec", "subpath-inside", "-c", "viewer", "--", "stat", "-c", "%a", "/vol/new", "/vol/new/deep"]).stdout
        #expect(mode == "777\n777\n", "made with the volume's mode, as kubelet: \(mode)")
    }

    /// subPath on a hostPath volume: a symlink in the host directory that leads out of it is refused too.
    @Test func subPathOnAHostPathVolumeStaysInside() throws {
        defer { host.cleanup(["subpath-hostpath"]) }
        let outside = try hostDirectoryOutOfReach("hostpath")
        let volume = host.base + "/hostpath-volume"
        try? FileManager.default.removeItem(atPath: volume)
        try FileManager.default.createDirectory(atPath: volume + "/ok", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: volume + "/escape", withDestinationPath: outside)
        let before = listing(outside)
        func pod(_ subPath: String) -> String {
            host.manifest(
                """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: subpath-hostpath
                spec:
                  restartPolicy: Never
                  containers:
                    - name: writer
                      image: busybox:1.36
                      command: ["sh", "-c", "cat /x/file; echo pwned > /x/written; sleep 3600"]
                      volumeMounts: [{name: host, mountPath: /x, subPath: \(subPath)}]
                  volumes:
                    - name: host
                      hostPath: {path: \(volume), type: Directory}
                """)
        }
        let refused = host.run(["run", pod("escape")])
        #expect(refused.status != 0 && refused.stderr.contains("leads outside"), "\(refused.stderr)")
        #expect(listing(outside) == before)
        let allowed = host.run(["run", pod("ok")])
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(host.eventually { FileManager.default.fileExists(atPath: volume + "/ok/written") })
        #expect(listing(outside) == before)
    }

    /// The check before the container is created and the mount are two steps; a symlink
    /// swapped in between them must be refused by the mount itself. `minipod oci` runs
    /// init on a spec that names the volume, with the symlink already there, so only
    /// init's own resolution stands between the container and the host directory.
    @Test func initRefusesASubPathThatLeadsOutOfItsVolume() throws {
        let outside = try hostDirectoryOutOfReach("init")
        let before = listing(outside)
        let volume = host.base + "/init-volume"
        try? FileManager.default.removeItem(atPath: volume)
        try FileManager.default.createDirectory(atPath: volume + "/real", withIntermediateDirectories: true)
        try "inside\n".write(toFile: volume + "/real/file", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: volume + "/swapped", withDestinationPath: outside)
        func runWith(_ subPath: String) throws -> TestHost.Result {
            let id = "subpath-\(subPath)"
            let bundle = try busyboxBundle(id, args: ["sh", "-c", "cat /x/file; echo pwned > /x/written"])
            let configPath = bundle + "/config.json"
            var config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: configPath))) as? [String: Any])
            var mounts = try #require(config["mounts"] as? [[String: Any]])
            mounts.append(["destination": "/x", "type": "bind", "source": volume + "/" + subPath, "options": ["rbind", "rprivate"]])
            config["mounts"] = mounts
            config["annotations"] = ["io.minipod.subpath-volume:/x": volume]
            try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: configPath))
            defer { oci(["delete", "--force", id]) }
            return oci(["run", "--bundle", bundle, id])
        }
        let refused = try runWith("swapped")
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("leads outside"), "\(refused.stderr)")
        #expect(!refused.stdout.contains("secret"))
        #expect(listing(outside) == before)
        let allowed = try runWith("real")
        #expect(allowed.status == 0 && allowed.stdout == "inside\n", "\(allowed.stdout) \(allowed.stderr)")
    }

    /// A host process swaps the subPath between a directory and a symlink out of the
    /// volume as fast as it can while pods start: every pod either sees the directory
    /// or is refused; the host directory is never written.
    @Test func subPathSwappedWhilePodsStartNeverEscapes() throws {
        let names = (0..<12).map { "subpath-race-\($0)" }
        defer { host.cleanup(names) }
        let outside = try hostDirectoryOutOfReach("race")
        let before = listing(outside)
        let volume = host.base + "/race-volume"
        try? FileManager.default.removeItem(atPath: volume)
        try FileManager.default.createDirectory(atPath: volume + "/dir", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: volume + "/link", withDestinationPath: outside)
        // rename(2) swaps atomically: "sub" is the directory or the symlink, never missing.
        let swapper = Process()
        swapper.executableURL = URL(fileURLWithPath: "/bin/sh")
        swapper.arguments = [
            "-c",
            """
            cd '\(volume)' && end=$(($(date +%s) + 60)); while [ $(date +%s) -lt $end ]; do
              ln -sfn dir sub.tmp && mv -T sub.tmp sub; ln -sfn '\(outside)' sub.tmp && mv -T sub.tmp sub; done
            """,
        ]
        try swapper.run()
        defer {
            swapper.terminate()
            swapper.waitUntilExit()
        }
        var refused = 0
        for name in names {
            let result = host.run([
                "run",
                host.manifest(
                    """
                    apiVersion: v1
                    kind: Pod
                    metadata:
                      name: \(name)
                    spec:
                      restartPolicy: Never
                      containers:
                        - name: writer
                          image: busybox:1.36
                          command: ["sh", "-c", "echo pwned > /x/written-\(name); sleep 3600"]
                          volumeMounts: [{name: host, mountPath: /x, subPath: sub}]
                      volumes:
                        - name: host
                          hostPath: {path: \(volume)}
                    """),
            ])
            if result.status != 0 {
                refused += 1
                #expect(result.stderr.contains("leads outside"), "\(result.stderr)")
            }
        }
        #expect(listing(outside) == before, "a pod wrote outside its volume")
        #expect(refused > 0, "the swapper never showed the symlink: the race was not exercised")
    }
}
