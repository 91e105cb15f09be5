import Foundation
import Testing

/// `image import` of a root filesystem tarball, named as a user types it:
/// relative to the current directory (minipod's helpers run in /, so the path
/// must be made absolute before any of them sees it).
extension Integration {
    @Test func imageImportTakesARelativePathAndThePodRuns() throws {
        let dir = host.base + "/import"
        defer { host.cleanup(["imported"]) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        // The test busybox image's one layer is a root filesystem tarball.
        let extract = """
            import json, tarfile
            src = tarfile.open("/var/cache/minipod/images/busybox_1.36.tar")
            blob = lambda d: src.extractfile("blobs/sha256/" + d[7:]).read()
            manifest = json.loads(blob(json.loads(src.extractfile("index.json").read())["manifests"][0]["digest"]))
            open("\(dir)/rootfs.tgz", "wb").write(blob(manifest["layers"][0]["digest"]))
            """
        try extract.write(toFile: dir + "/extract.py", atomically: true, encoding: .utf8)
        #expect(shell("python3 \(dir)/extract.py 2>&1").isEmpty)
        let env = host.environment.map { "\($0.key)='\($0.value)'" }.joined(separator: " ")
        let imported = shell("cd \(dir) && env \(env) \(host.binary) image import rootfs.tgz localhost/imported:1 2>&1")
        #expect(imported == "Imported image: localhost/imported:1\n", "\(imported)")
        let missing = shell("cd \(dir) && env \(env) \(host.binary) image import nothing.tgz localhost/imported:2 2>&1; echo rc=$?")
        #expect(missing.contains("nothing.tgz: no such file") && missing.hasSuffix("rc=1\n"), "\(missing)")

        let manifest = """
            apiVersion: v1
            kind: Pod
            metadata: {name: imported}
            spec:
              containers:
                - name: box
                  image: localhost/imported:1
                  imagePullPolicy: Never
                  command: ["sh", "-c", "echo from the imported image; sleep 3600"]
            """
        #expect(host.run(["run", "-"], stdin: manifest).status == 0)
        #expect(host.eventually(5) { host.run(["logs", "imported"]).stdout == "from the imported image\n" })
    }
}
