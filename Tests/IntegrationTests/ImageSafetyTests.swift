import Foundation
import Testing

/// Crafted image archives against `minipod image load`: nothing is ever
/// written outside the store, bad archives fail with a clear error, and a
/// failed load leaves no partial layer behind.
extension Integration {
    /// Builds an OCI archive whose layers hold the given members (python's tarfile
    /// writes what GNU tar would refuse to create). Each member: name, type (file, dir,
    /// symlink, hardlink, chardev, random), content, link target, "major,minor" or a size.
    func craftedArchive(_ layers: [[(String, String, String)]], corruptDigest: Bool = false, truncate: Bool = false) throws -> String {
        let spec = layers.map { layer in layer.map { "(\"\($0.0)\", \"\($0.1)\", \"\($0.2)\")" }.joined(separator: ", ") }
        let out = host.base + "/crafted-\(UUID().uuidString).tar"
        let script = """
            import hashlib, io, json, os, tarfile, gzip
            layers = [\(spec.map { "[\($0)]" }.joined(separator: ", "))]
            blobs, diff_ids, descs = {}, [], []
            for members in layers:
                raw = io.BytesIO()
                with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as t:
                    for name, kind, data in members:
                        info = tarfile.TarInfo(name)
                        if kind == "file":
                            info.size = len(data); t.addfile(info, io.BytesIO(data.encode()))
                        elif kind == "random":
                            blob = os.urandom(int(data)); info.size = len(blob); t.addfile(info, io.BytesIO(blob))
                        elif kind == "setuid":
                            info.size = len(data); info.mode = 0o4755; t.addfile(info, io.BytesIO(data.encode()))
                        elif kind == "zeros":
                            info.size = int(data); t.addfile(info, io.BytesIO(bytes(int(data))))
                        elif kind == "dir":
                            info.type = tarfile.DIRTYPE; info.mode = 0o755; t.addfile(info)
                        elif kind == "symlink":
                            info.type = tarfile.SYMTYPE; info.linkname = data; t.addfile(info)
                        elif kind == "hardlink":
                            info.type = tarfile.LNKTYPE; info.linkname = data; t.addfile(info)
                        elif kind == "chardev":
                            info.type = tarfile.CHRTYPE; info.devmajor, info.devminor = map(int, data.split(",")); t.addfile(info)
                raw = raw.getvalue()
                diff_ids.append("sha256:" + hashlib.sha256(raw).hexdigest())
                gz = gzip.compress(raw, mtime=0)
                d = hashlib.sha256(gz).hexdigest()
                blobs[d] = gz
                descs.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": "sha256:" + d, "size": len(gz)})
            config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["sh"]},
                                 "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
            cd = hashlib.sha256(config).hexdigest(); blobs[cd] = config
            manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "sha256:" + cd, "size": len(config)},
                "layers": descs}).encode()
            md = hashlib.sha256(manifest).hexdigest(); blobs[md] = manifest
            if \(corruptDigest ? "True" : "False"):
                first = descs[0]["digest"][7:]; blobs[first] = blobs[first][:-1] + bytes([blobs[first][-1] ^ 1])
            index = json.dumps({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                "digest": "sha256:" + md, "size": len(manifest), "annotations": {"org.opencontainers.image.ref.name": "crafted:1"}}]}).encode()
            with tarfile.open("\(out)", "w") as t:
                for name, data in [("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'), ("index.json", index)] + [("blobs/sha256/" + k, v) for k, v in blobs.items()]:
                    info = tarfile.TarInfo(name); info.size = len(data); t.addfile(info, io.BytesIO(data))
            if \(truncate ? "True" : "False"):
                size = os.path.getsize("\(out)"); open("\(out)", "r+b").truncate(size // 2)
            """
        let path = host.base + "/craft.py"
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        let result = shell("python3 \(path) 2>&1")
        #expect(result.isEmpty, "crafting failed: \(result)")
        return out
    }

    func loadIsolated(_ archive: String) -> (TestHost.Result, String) {
        let root = host.base + "/imgroot-\(UUID().uuidString)"
        return (host.run(["image", "load", archive], extraEnvironment: ["MINIPOD_ROOT": root]), root)
    }

    func layerDirs(_ root: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root + "/layers")) ?? []).map { root + "/layers/" + $0 }
    }

    @Test func dotDotMembersNeverLeaveTheLayer() throws {
        let marker = "escape-\(UUID().uuidString)"
        let archive = try craftedArchive([[("../../../../../../tmp/\(marker)", "file", "pwned"), ("ok", "file", "fine")]])
        let (result, root) = loadIsolated(archive)
        #expect(!FileManager.default.fileExists(atPath: "/tmp/\(marker)"))
        if result.status == 0 {
            #expect(layerDirs(root).allSatisfy { FileManager.default.fileExists(atPath: $0 + "/ok") })
        } else {
            #expect(result.stderr.contains("cannot unpack layer"), "\(result.stderr)")
            #expect(layerDirs(root).isEmpty, "a failed load leaves no layer")
        }
    }

    @Test func symlinkThenWriteThroughItStaysInside() throws {
        let outside = host.base + "/outside-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        let archive = try craftedArchive([
            [
                ("evil", "symlink", outside), ("evil/pwned", "file", "x"),
                ("abs", "symlink", "/etc"), ("abs/minipod-pwned", "file", "x"),
            ]
        ])
        _ = loadIsolated(archive)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: outside)) ?? []).isEmpty, "wrote through a symlink to the host")
        #expect(!FileManager.default.fileExists(atPath: "/etc/minipod-pwned"))
    }

    @Test func absoluteNamesAndHardlinksToHostFilesStayInside() throws {
        let marker = "abs-\(UUID().uuidString)"
        let archive = try craftedArchive([[("/tmp/\(marker)", "file", "x"), ("passwd-link", "hardlink", "/etc/passwd")]])
        let (result, root) = loadIsolated(archive)
        #expect(!FileManager.default.fileExists(atPath: "/tmp/\(marker)"))
        for dir in layerDirs(root) {
            var st = stat()
            var host = stat()
            if lstat(dir + "/passwd-link", &st) == 0 {
                lstat("/etc/passwd", &host)
                #expect(st.st_ino != host.st_ino, "hard link to the host's /etc/passwd")
            }
        }
        _ = result
    }

    @Test func digestMismatchIsRejected() throws {
        let archive = try craftedArchive([[("f", "file", "data")]], corruptDigest: true)
        let (result, root) = loadIsolated(archive)
        #expect(result.status != 0)
        #expect(result.stderr.contains("does not match its content"), "\(result.stderr)")
        #expect(layerDirs(root).isEmpty)
    }

    /// A gzip layer of 64 KiB that stands for 64 MiB of zeros, against a 32 MiB limit:
    /// refused as a tar bomb while streaming, with no layer and no scratch left.
    @Test func tarBombStopsAtTheSizeLimit() throws {
        let archive = try craftedArchive([[("bomb", "zeros", String(64 << 20))]])
        let root = host.base + "/imgroot-\(UUID().uuidString)"
        let result = host.run(["image", "load", archive], extraEnvironment: ["MINIPOD_ROOT": root, "MINIPOD_MAX_LAYER_SIZE": String(32 << 20)])
        #expect(result.status == 1)
        #expect(result.stderr.contains("unpacks to more than 33554432 bytes (MINIPOD_MAX_LAYER_SIZE): refused as a tar bomb"), "\(result.stderr)")
        #expect(layerDirs(root).isEmpty)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: root + "/tmp")) ?? []).isEmpty)
        // The same archive under the default limit loads.
        let (loaded, _) = loadIsolated(archive)
        #expect(loaded.status == 0, "\(loaded.stderr)")
    }

    /// setuid is kept where the image sets it and nowhere else; of two entries with one
    /// name the later wins, as tar (and every runtime) applies them.
    @Test func setuidBitsAsTheImageSaysAndDuplicatesLastWins() throws {
        let archive = try craftedArchive([
            [
                ("bin", "dir", ""), ("bin/su", "setuid", "x"), ("bin/ls", "file", "y"),
                ("etc", "dir", ""), ("etc/motd", "file", "first"), ("etc/motd", "file", "second"),
            ]
        ])
        let (result, root) = loadIsolated(archive)
        #expect(result.status == 0, "\(result.stderr)")
        let layer = try #require(layerDirs(root).first)
        #expect(shell("stat -c %a \(layer)/bin/su \(layer)/bin/ls") == "4755\n644\n")
        #expect((try? String(contentsOfFile: layer + "/etc/motd", encoding: .utf8)) == "second")
    }

    /// A load killed half-way leaves no layer a pod could use, and the next load completes.
    @Test func interruptedLoadLeavesNoPartialLayer() throws {
        let root = host.base + "/imgroot-\(UUID().uuidString)"
        let env = ["MINIPOD_ROOT": root]
        let (load, _) = try host.start(["image", "load", "/var/cache/minipod/images/nginx_1.25.tar"], extraEnvironment: env)
        // Killed while a layer is being unpacked (its scratch directory exists).
        #expect(host.eventually(20) { !((try? FileManager.default.contentsOfDirectory(atPath: root + "/tmp")) ?? []).isEmpty || !load.isRunning })
        host.stop(load)
        #expect(layerDirs(root).isEmpty, "\(layerDirs(root))")
        let again = host.run(["image", "load", "/var/cache/minipod/images/nginx_1.25.tar"], extraEnvironment: env)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(layerDirs(root).count == 1)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: root + "/tmp")) ?? []).filter { $0.hasPrefix("layer-") }.isEmpty)
    }

    @Test func truncatedArchiveIsRejected() throws {
        // Incompressible, so cutting the archive in half cuts into the layer blob.
        let archive = try craftedArchive([[("f", "random", "200000")]], truncate: true)
        let (result, root) = loadIsolated(archive)
        #expect(result.status != 0)
        #expect(result.stderr.hasPrefix("error: "), "\(result.stderr)")
        #expect(layerDirs(root).isEmpty)
    }

    @Test func deviceNodesAreDroppedAndWhiteoutsBecomeOverlayWhiteouts() throws {
        let archive = try craftedArchive([
            [("a", "dir", ""), ("a/keep", "file", "1"), ("a/gone", "file", "2"), ("mem", "chardev", "1,1")],
            [("a", "dir", ""), ("a/.wh.gone", "file", ""), ("o", "dir", ""), ("o/.wh..wh..opq", "file", "")],
        ])
        let (result, root) = loadIsolated(archive)
        try #require(result.status == 0, "\(result.stderr)")
        let dirs = layerDirs(root)
        #expect(dirs.count == 2)
        #expect(!dirs.contains { FileManager.default.fileExists(atPath: $0 + "/mem") }, "a host memory device from an image")
        let upper = try #require(dirs.first { FileManager.default.fileExists(atPath: $0 + "/o") })
        var st = stat()
        #expect(lstat(upper + "/a/gone", &st) == 0 && (st.st_mode & S_IFMT) == S_IFCHR && st.st_rdev == 0)
        #expect(!FileManager.default.fileExists(atPath: upper + "/a/.wh.gone"))
        #expect(shell("getfattr -n trusted.overlay.opaque --only-values \(upper)/o 2>/dev/null") == "y")
    }
}

extension Integration {
    /// A `docker save`-style archive (manifest.json, uncompressed layer tars named
    /// through symlinks) of the busybox image loads and runs a pod.
    @Test func dockerArchiveLoadsAndRuns() throws {
        let out = host.base + "/docker-archive.tar"
        let script = """
            import gzip, hashlib, io, json, tarfile
            src = tarfile.open("/var/cache/minipod/images/busybox_1.36.tar")
            read = lambda name: src.extractfile(name).read()
            index = json.loads(read("index.json"))
            manifest = json.loads(read("blobs/sha256/" + index["manifests"][0]["digest"][7:]))
            config = read("blobs/sha256/" + manifest["config"]["digest"][7:])
            with tarfile.open("\(out)", "w") as t:
                def add(name, data):
                    info = tarfile.TarInfo(name); info.size = len(data); t.addfile(info, io.BytesIO(data))
                add(hashlib.sha256(config).hexdigest() + ".json", config)
                layers = []
                for l in manifest["layers"]:
                    raw = gzip.decompress(read("blobs/sha256/" + l["digest"][7:]))
                    d = hashlib.sha256(raw).hexdigest()
                    add(d + ".tar", raw)
                    link = tarfile.TarInfo(d + "/layer.tar"); link.type = tarfile.SYMTYPE; link.linkname = "../" + d + ".tar"; t.addfile(link)
                    layers.append(d + "/layer.tar")
                add("manifest.json", json.dumps([{"Config": hashlib.sha256(config).hexdigest() + ".json",
                    "RepoTags": ["localhost/dockersaved:1"], "Layers": layers}]).encode())
            """
        try script.write(toFile: host.base + "/docker-archive.py", atomically: true, encoding: .utf8)
        let crafted = shell("python3 \(host.base)/docker-archive.py 2>&1")
        try #require(crafted.isEmpty, "\(crafted)")
        let load = host.run(["image", "load", out])
        #expect(load.stdout == "Loaded image: localhost/dockersaved:1\n", "\(load.stderr)")
        #expect(host.run(["image", "ls"]).stdout.contains("localhost/dockersaved"))
        defer {
            host.cleanup(["from-docker"])
            host.run(["image", "rm", "localhost/dockersaved:1"])
        }
        let pod = host.manifest(
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: from-docker
            spec:
              restartPolicy: Never
              containers:
                - name: app
                  image: localhost/dockersaved:1
                  command: ["echo", "loaded from a docker archive"]
            """)
        #expect(host.run(["run", pod]).status == 0)
        #expect(host.eventually(5) { host.run(["logs", "from-docker"]).stdout == "loaded from a docker archive\n" })
        let inUse = host.run(["image", "rm", "localhost/dockersaved:1"])
        #expect(inUse.status != 0 && inUse.stderr.contains("in use by pod from-docker"), "\(inUse.stderr)")
    }
}
