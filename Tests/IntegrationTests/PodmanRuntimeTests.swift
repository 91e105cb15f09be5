import Foundation
import Testing

/// podman driving `minipod-oci` as its OCI runtime (`--runtime`), as the runtime-core
/// issue asks: a container run and removed, and a pod whose two containers share
/// the pod's network namespace. podman keeps its own storage, run and network
/// directories in the test's root, and cgroupfs, as the bench runs it.
extension Integration {
    struct Podman {
        let base: [String]
        let environment: [String: String]
    }

    func podmanWithMinipodRuntime() throws -> Podman {
        let podmanPath = "/usr/bin/podman"
        try #require(FileManager.default.fileExists(atPath: podmanPath), "podman is not installed (Scripts/install-deps installs it)")
        let root = host.base + "/podman-oci"
        for dir in ["storage", "run", "tmp", "net", "bin"] {
            try FileManager.default.createDirectory(atPath: root + "/" + dir, withIntermediateDirectories: true)
        }
        let runtime = root + "/bin/minipod-oci"
        if !FileManager.default.fileExists(atPath: runtime) {
            try FileManager.default.createSymbolicLink(atPath: runtime, withDestinationPath: host.binary)
        }
        // This host's hard RLIMIT_NOFILE is below podman's default ask (1048576).
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        let nofile = min(16384, Int(limit.rlim_max))
        try "[containers]\ndefault_ulimits = [\"nofile=\(nofile):\(nofile)\"]\n"
            .write(toFile: root + "/containers.conf", atomically: true, encoding: .utf8)
        var environment = host.environment
        environment["CONTAINERS_CONF"] = root + "/containers.conf"
        return Podman(
            base: [
                podmanPath, "--root", root + "/storage", "--runroot", root + "/run", "--tmpdir", root + "/tmp",
                "--network-config-dir", root + "/net", "--runtime", runtime,
                "--cgroup-manager", "cgroupfs", "--events-backend", "file",
            ],
            environment: environment)
    }

    @discardableResult
    func podman(_ p: Podman, _ args: [String]) -> TestHost.Result {
        runWithFileIO(p.base[0], Array(p.base.dropFirst()) + args, environment: p.environment, timeout: 120)
    }

    @Test func podmanRunsContainersAndAPodThroughMinipodOCI() throws {
        let p = try podmanWithMinipodRuntime()
        defer {
            podman(p, ["pod", "rm", "-f", "-t", "0", "--all"])
            podman(p, ["rm", "-f", "-t", "0", "--all"])
            podman(p, ["system", "reset", "--force"])
        }
        let archive = (ProcessInfo.processInfo.environment["MINIPOD_IMAGE_DIR"] ?? "/var/cache/minipod/images") + "/busybox_1.36.tar"
        let load = podman(p, ["load", "-i", archive])
        try #require(load.status == 0, "podman load: \(load.stderr)")

        let hi = podman(p, ["run", "--rm", "--network", "none", "busybox:1.36", "echo", "hi"])
        #expect(hi.status == 0 && hi.stdout == "hi\n", "podman run through minipod-oci: \(hi)")
        let failing = podman(p, ["run", "--rm", "--network", "none", "busybox:1.36", "sh", "-c", "exit 7"])
        #expect(failing.status == 7, "the container's exit status comes back: \(failing)")

        // Two containers of one pod: the second reaches the first on localhost.
        let pod = podman(p, ["pod", "create", "--name", "mp-oci-pod", "--network", "none"])
        try #require(pod.status == 0, "podman pod create: \(pod.stderr)")
        let web = podman(
            p,
            [
                "run", "-d", "--pod", "mp-oci-pod", "--name", "mp-oci-web", "busybox:1.36",
                "sh", "-c", "echo from-minipod-oci > /tmp/index.html; exec httpd -f -p 127.0.0.1:8080 -h /tmp",
            ])
        try #require(web.status == 0, "podman run -d --pod: \(web.stderr)")
        var page = ""
        let reached = host.eventually(10) {
            page = podman(p, ["run", "--rm", "--pod", "mp-oci-pod", "busybox:1.36", "wget", "-qO-", "http://127.0.0.1:8080/"]).stdout
            return page == "from-minipod-oci\n"
        }
        #expect(reached, "the pod's second container got: \(page)")
        let ps = podman(p, ["ps", "--format", "{{.Names}} {{.Status}}"])
        #expect(ps.stdout.contains("mp-oci-web Up"), "\(ps)")
        let rm = podman(p, ["pod", "rm", "-f", "-t", "0", "mp-oci-pod"])
        #expect(rm.status == 0, "podman pod rm: \(rm.stderr)")
        #expect(podman(p, ["ps", "-a", "--format", "{{.Names}}"]).stdout.isEmpty)
    }
}
