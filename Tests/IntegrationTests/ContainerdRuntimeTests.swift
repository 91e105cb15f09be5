import Foundation
import Testing

/// containerd driving `minipod-oci` through its runc shim (containerd-shim-runc-v2
/// with `--runc-binary`, what a RuntimeClass handler's BinaryName does): run,
/// exec with the default seccomp profile, pause/resume, kill and delete. The
/// containerd is private to the test (its own root, state and socket).
extension Integration {
    @Test func containerdRunsTasksThroughMinipodOCI() throws {
        let containerd = "/usr/bin/containerd"
        let ctrPath = "/usr/bin/ctr"
        try #require(
            FileManager.default.fileExists(atPath: containerd) && FileManager.default.fileExists(atPath: ctrPath),
            "containerd is not installed (Scripts/install-deps installs it)")
        let root = host.base + "/containerd"
        try FileManager.default.createDirectory(atPath: root + "/bin", withIntermediateDirectories: true)
        let runtime = root + "/bin/minipod-oci"
        if !FileManager.default.fileExists(atPath: runtime) {
            try FileManager.default.createSymbolicLink(atPath: runtime, withDestinationPath: host.binary)
        }
        let socket = root + "/containerd.sock"
        try """
        version = 2
        root = "\(root)/root"
        state = "\(root)/state"
        disabled_plugins = ["io.containerd.grpc.v1.cri"]
        [grpc]
          address = "\(socket)"
        """.write(toFile: root + "/config.toml", atomically: true, encoding: .utf8)
        // The shim keeps fifos, sockets and the runtime's --root under /run/containerd whatever the config says.
        let runDirExisted = FileManager.default.fileExists(atPath: "/run/containerd")
        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: containerd)
        daemon.arguments = ["--config", root + "/config.toml"]
        daemon.standardOutput = FileHandle.nullDevice
        daemon.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try daemon.run()
        // A namespace of its own: the shim gives the runtime --root /run/containerd/runc/<namespace>,
        // shared with every other containerd on the host.
        let namespace = "minipod-test-\(getpid())"
        func ctr(_ args: [String]) -> TestHost.Result {
            runWithFileIO(ctrPath, ["--address", socket, "--namespace", namespace] + args, environment: host.environment, timeout: 60)
        }
        defer {
            for id in ["ctr1", "ctr2"] {
                _ = ctr(["task", "delete", "--force", id])
                _ = ctr(["container", "delete", id])
            }
            kill(daemon.processIdentifier, SIGKILL)
            daemon.waitUntilExit()
            _ = shell("grep -o ' \(root)/[^ ]*' /proc/self/mounts | xargs -r -n1 umount -l")
            if !runDirExisted { _ = shell("find /run/containerd -depth -type d -empty -delete") }
        }
        #expect(host.eventually(10) { FileManager.default.fileExists(atPath: socket) }, "containerd did not start")
        let archive = (ProcessInfo.processInfo.environment["MINIPOD_IMAGE_DIR"] ?? "/var/cache/minipod/images") + "/busybox_1.36.tar"
        _ = ctr(["images", "import", "--index-name", "docker.io/library/busybox:1.36", archive])
        try #require(ctr(["images", "ls", "-q"]).stdout.contains("docker.io/library/busybox:1.36"), "ctr images import")
        // Each task's cgroup under the tests' parent, which the suite cleans.
        func options(_ id: String) -> [String] { ["--runc-binary", runtime, "--cgroup", "minipod-test/ctr-\(id)"] }
        // containerd's garbage collection, scheduled when the import's lease ends, can
        // remove the image's snapshot between ctr's "is it unpacked" and its prepare
        // ("parent snapshot … does not exist"); once it ran, ctr unpacks again.
        func ctrRun(_ args: [String]) -> TestHost.Result {
            var result = ctr(["run"] + args)
            for _ in 1...3 where result.status != 0 && result.stderr.contains("parent snapshot") {
                usleep(200_000)
                result = ctr(["run"] + args)
            }
            return result
        }

        let detached = ctrRun(["-d", "--seccomp"] + options("ctr2") + ["docker.io/library/busybox:1.36", "ctr2", "sleep", "300"])
        #expect(detached.status == 0, "\(detached)")
        let hello = ctrRun(
            ["--rm"] + options("ctr1") + [
                "docker.io/library/busybox:1.36", "ctr1",
                "echo", "hello from minipod under containerd",
            ])
        #expect(hello.status == 0 && hello.stdout == "hello from minipod under containerd\n", "\(hello)")

        let status = ctr(["task", "exec", "--exec-id", "e1", "ctr2", "grep", "Seccomp:", "/proc/self/status"])
        #expect(status.stdout.contains("Seccomp:\t2"), "exec gets the container's seccomp filter: \(status)")
        #expect(ctr(["task", "pause", "ctr2"]).status == 0)
        #expect(ctr(["task", "ls"]).stdout.contains("PAUSED"))
        #expect(ctr(["task", "resume", "ctr2"]).status == 0)
        #expect(ctr(["task", "ls"]).stdout.contains("RUNNING"))
        #expect(ctr(["task", "kill", "-s", "SIGKILL", "ctr2"]).status == 0)
        #expect(host.eventually(10) { ctr(["task", "ls"]).stdout.contains("STOPPED") })
        #expect(ctr(["task", "delete", "ctr2"]).status == 0)
        #expect(ctr(["container", "delete", "ctr2"]).status == 0)
        #expect(shell("ls -d /sys/fs/cgroup/*/minipod-test/ctr-ctr2 2>/dev/null").isEmpty, "the task's cgroup is removed")
    }
}
