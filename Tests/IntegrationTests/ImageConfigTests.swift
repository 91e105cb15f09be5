import Foundation
import Testing

/// Images whose config is hostile or broken: a User missing from the image's
/// /etc/passwd, no Entrypoint or Cmd, a 1 MiB environment variable, 20,000
/// variables. Each is refused with an error naming the cause, or runs.
extension Integration {
    /// Variants of the test busybox image with `config.config` edited, as OCI archives.
    func busyboxVariants() throws -> String {
        let dir = host.base + "/variants"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let script = """
            import hashlib, io, json, tarfile
            src = tarfile.open("/var/cache/minipod/images/busybox_1.36.tar")
            members = {m.name: src.extractfile(m).read() for m in src.getmembers() if m.isfile()}
            index = json.loads(members["index.json"])
            manifest = json.loads(members["blobs/sha256/" + index["manifests"][0]["digest"][7:]])
            config = json.loads(members["blobs/sha256/" + manifest["config"]["digest"][7:]])
            def variant(out, ref, edit):
                c = json.loads(json.dumps(config)); edit(c["config"])
                cb = json.dumps(c).encode(); cd = hashlib.sha256(cb).hexdigest()
                m = json.loads(json.dumps(manifest)); m["config"]["digest"] = "sha256:" + cd; m["config"]["size"] = len(cb)
                mb = json.dumps(m).encode(); md = hashlib.sha256(mb).hexdigest()
                ix = {"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                      "digest": "sha256:" + md, "size": len(mb), "annotations": {"org.opencontainers.image.ref.name": ref}}]}
                old = (manifest["config"]["digest"][7:], index["manifests"][0]["digest"][7:])
                files = {k: v for k, v in members.items() if k.startswith("blobs/") and k[len("blobs/sha256/"):] not in old}
                files.update({"oci-layout": members["oci-layout"], "index.json": json.dumps(ix).encode(),
                              "blobs/sha256/" + cd: cb, "blobs/sha256/" + md: mb})
                with tarfile.open(out, "w") as t:
                    for k, v in files.items():
                        info = tarfile.TarInfo(k); info.size = len(v); t.addfile(info, io.BytesIO(v))
            d = "\(dir)"
            variant(d + "/ghost.tar", "localhost/ghost-user:1", lambda c: c.update(User="ghost"))
            variant(d + "/nocmd.tar", "localhost/no-command:1", lambda c: (c.pop("Cmd", None), c.pop("Entrypoint", None)))
            variant(d + "/bigvar.tar", "localhost/big-variable:1", lambda c: c.update(Env=(c.get("Env") or []) + ["BIG=" + "x" * 1048576]))
            variant(d + "/manyvars.tar", "localhost/many-variables:1", lambda c: c.update(Env=(c.get("Env") or []) + ["V%d=%d" % (i, i) for i in range(20000)]))
            """
        try script.write(toFile: dir + "/variants.py", atomically: true, encoding: .utf8)
        let out = shell("python3 \(dir)/variants.py 2>&1")
        try #require(out.isEmpty, "\(out)")
        let load = host.run(["image", "load"] + ["ghost", "nocmd", "bigvar", "manyvars"].map { "\(dir)/\($0).tar" })
        try #require(load.status == 0, "\(load.stderr)")
        return dir
    }

    func podUsing(_ image: String, command: String? = nil) -> String {
        host.manifest(
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: variant
            spec:
              restartPolicy: Never
              containers:
                - name: app
                  image: \(image)
            \(command.map { "      command: [\"sh\", \"-c\", \"\($0)\"]" } ?? "")
            """)
    }

    @Test func brokenImageConfigsAreRefusedWithTheCause() throws {
        _ = try busyboxVariants()
        defer {
            host.cleanup(["variant"])
            host.run(["image", "rm", "localhost/ghost-user:1", "localhost/no-command:1", "localhost/big-variable:1", "localhost/many-variables:1"])
        }
        let before = HostSnapshot.take()
        for (image, message) in [
            ("localhost/ghost-user:1", "spec.containers[0].image: image user \"ghost\" is not in the image's /etc/passwd"),
            (
                "localhost/no-command:1",
                "spec.containers[0].command: no command: the image has no Entrypoint or Cmd and the container sets no command"
            ),
            (
                "localhost/big-variable:1",
                "spec.containers[0].image: environment variable BIG is 1048580 bytes; the kernel takes at most 128 KiB per variable"
            ),
        ] {
            let run = host.run(["run", podUsing(image)])
            #expect(run.status == 1, "\(image)")
            #expect(run.stderr.contains(message), "\(image): \(run.stderr)")
            #expect(HostSnapshot.take() == before, "\(image) left: \(HostSnapshot.take())")
        }
        // 20,000 small variables fit the limits and reach the process.
        let many = host.run(["run", podUsing("localhost/many-variables:1", command: "env | grep -c '^V[0-9]'")])
        #expect(many.status == 0, "\(many.stderr)")
        #expect(host.eventually(10) { host.run(["logs", "variant"]).stdout == "20000\n" })
    }
}
