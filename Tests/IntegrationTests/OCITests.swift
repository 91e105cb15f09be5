import Foundation
import Testing

/// `minipod oci`, the runc-compatible CLI, on busybox bundles made from the
/// test image archive. Its commands run with stdio on files, as conmon runs
/// runc: a created container keeps the stdio of `create` until it exits, so
/// a pipe would never reach EOF.
extension Integration {
    var ociRoot: String { host.base + "/oci-root" }

    /// Runs `minipod oci --root <ociRoot> args…`; waits for the process, not for EOF on its output.
    @discardableResult
    func oci(_ args: [String], stdin: String = "") -> TestHost.Result {
        runWithFileIO(host.binary, ["oci", "--root", ociRoot] + args, environment: host.environment, stdin: stdin)
    }

    /// Runs a program with stdio on files: it waits for the process, not for EOF on its
    /// output, which a container (or conmon) started by it may hold open. Spawned and
    /// reaped here (posix_spawn, waitpid): Foundation's Process missed the exit of a
    /// podman whose conmon stayed behind and left the test waiting forever.
    func runWithFileIO(
        _ executable: String, _ args: [String], environment: [String: String], stdin: String = "",
        timeout: TimeInterval = 60
    ) -> TestHost.Result {
        let dir = host.base + "/oci-io"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let id = UUID().uuidString
        let paths = ["in", "out", "err"].map { dir + "/\(id).\($0)" }
        FileManager.default.createFile(atPath: paths[0], contents: Data(stdin.utf8))
        defer { paths.forEach { try? FileManager.default.removeItem(atPath: $0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, paths[0], O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, paths[1], O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, paths[2], O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + args).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard rc == 0 else { return TestHost.Result(status: -1, stdout: "", stderr: "posix_spawn \(executable): \(String(cString: strerror(rc)))") }
        var status: Int32 = 0
        let deadline = Date().addingTimeInterval(timeout)
        var reaped = waitpid(pid, &status, WNOHANG)
        while reaped == 0 || (reaped < 0 && errno == EINTR) {
            if Date() > deadline { kill(pid, SIGKILL) }
            usleep(5_000)
            reaped = waitpid(pid, &status, WNOHANG)
        }
        if reaped < 0 { return TestHost.Result(status: -1, stdout: "", stderr: "waitpid \(executable): \(String(cString: strerror(errno)))") }
        let read = { (path: String) in (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
        let exited = status & 0x7f == 0
        return TestHost.Result(status: exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), stdout: read(paths[1]), stderr: read(paths[2]))
    }

    /// A bundle with busybox's rootfs (the image archive's single layer) and
    /// `oci spec`'s config, changed to run `args` without a terminal in a
    /// cgroup under the test parent.
    func busyboxBundle(_ id: String, args: [String]) throws -> String {
        let bundle = host.base + "/oci-bundles/\(id)"
        let rootfs = try sharedBusyboxRootfs()
        try? FileManager.default.removeItem(atPath: bundle)
        try FileManager.default.createDirectory(atPath: bundle, withIntermediateDirectories: true)
        let spec = oci(["spec", "--bundle", bundle])
        guard spec.status == 0 else { throw IntegrationSetupError(message: "oci spec: \(spec.stderr)") }
        let configPath = bundle + "/config.json"
        var config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: configPath))) as? [String: Any])
        var process = try #require(config["process"] as? [String: Any])
        process["terminal"] = false
        process["args"] = args
        config["process"] = process
        config["root"] = ["path": rootfs, "readonly": true]
        config["hostname"] = id
        var linux = try #require(config["linux"] as? [String: Any])
        linux["cgroupsPath"] = "/minipod-test/oci-\(id)"
        config["linux"] = linux
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: configPath))
        return bundle
    }

    /// One read-only rootfs for every bundle: extracting the layer once keeps the tests fast.
    private func sharedBusyboxRootfs() throws -> String {
        let rootfs = host.base + "/oci-bundles/busybox-rootfs"
        if FileManager.default.fileExists(atPath: rootfs + "/bin/busybox") { return rootfs }
        let image = host.base + "/oci-bundles/busybox-image"
        try FileManager.default.createDirectory(atPath: image, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: rootfs, withIntermediateDirectories: true)
        let archive = (ProcessInfo.processInfo.environment["MINIPOD_IMAGE_DIR"] ?? "/var/cache/minipod/images") + "/busybox_1.36.tar"
        shell("tar -xf '\(archive)' -C '\(image)'")
        func json(_ path: String) throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        }
        func blob(_ digest: String) -> String { image + "/blobs/" + digest.replacingOccurrences(of: ":", with: "/") }
        let index = try json(image + "/index.json")
        let manifestDigest = try #require((index["manifests"] as? [[String: Any]])?.first?["digest"] as? String)
        let manifest = try json(blob(manifestDigest))
        let layers = try #require(manifest["layers"] as? [[String: Any]])
        #expect(layers.count == 1, "busybox image should have a single layer")
        let layer = try #require(layers.first?["digest"] as? String)
        shell("tar -xf '\(blob(layer))' -C '\(rootfs)'")
        try #require(FileManager.default.fileExists(atPath: rootfs + "/bin/busybox"), "layer did not unpack")
        return rootfs
    }

    func ociCgroupDirs(_ id: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/sys/fs/cgroup")) ?? []).map { "/sys/fs/cgroup/\($0)/minipod-test/oci-\(id)" }
            .filter { FileManager.default.fileExists(atPath: $0) }
    }

    func ociState(_ id: String) -> [String: Any]? {
        let r = oci(["state", id])
        guard r.status == 0 else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
    }

    func expectNothingLeft(_ id: String, pid: Int32? = nil) {
        #expect(!FileManager.default.fileExists(atPath: ociRoot + "/" + id), "state dir of \(id) left behind")
        #expect(ociCgroupDirs(id).isEmpty, "cgroups left: \(ociCgroupDirs(id))")
        if let pid { #expect(kill(pid, 0) != 0 || shell("ps -o stat= -p \(pid)").hasPrefix("Z"), "process \(pid) still alive") }
    }

    @Test func ociRunPrintsTheOutputAndReturnsTheExitStatus() throws {
        let bundle = try busyboxBundle("run1", args: ["echo", "hi"])
        let run = oci(["run", "--bundle", bundle, "run1"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "hi\n")
        expectNothingLeft("run1")

        let failing = try busyboxBundle("run2", args: ["sh", "-c", "cat; hostname; exit 3"])
        let run2 = oci(["run", "-b", failing, "run2"], stdin: "from-stdin\n")
        #expect(run2.status == 3, "\(run2.stderr)")
        #expect(run2.stdout == "from-stdin\nrun2\n")
        expectNothingLeft("run2")
    }

    @Test func ociCreateStartStateKillDeleteLifecycle() throws {
        let before = HostSnapshot.take()
        let id = "life1"
        let bundle = try busyboxBundle(id, args: ["sleep", "1000"])
        defer { oci(["delete", "--force", id]) }
        let pidFile = host.base + "/oci-bundles/\(id).pid"
        let create = oci(["create", "--bundle", bundle, "--pid-file", pidFile, id])
        #expect(create.status == 0, "\(create.stderr)")
        let created = try #require(ociState(id))
        #expect(created["status"] as? String == "created")
        #expect(created["id"] as? String == id)
        #expect(created["bundle"] as? String == bundle)
        let pid = try #require(created["pid"] as? Int)
        #expect((try? String(contentsOfFile: pidFile, encoding: .utf8)) == String(pid))
        #expect(FileManager.default.fileExists(atPath: ociRoot + "/\(id)/exec.fifo"))
        #expect(!ociCgroupDirs(id).isEmpty, "no cgroup for \(id)")

        #expect(oci(["create", "--bundle", bundle, id]).stderr.contains("container with id exists"))
        #expect(oci(["start", id]).status == 0)
        #expect(ociState(id)?["status"] as? String == "running")
        #expect(shell("cat /proc/\(pid)/cmdline | tr '\\0' ' '") == "sleep 1000 ")
        let second = oci(["start", id])
        #expect(second.status == 1 && second.stderr.contains("cannot start an already running container"), "\(second)")
        let refused = oci(["delete", id])
        #expect(refused.status == 1 && refused.stderr.contains("that is not stopped: running"), "\(refused)")
        #expect(oci(["ps", "--format", "json", id]).stdout.contains("\(pid)"))

        let badSignal = oci(["kill", id, "BOGUS"])
        #expect(badSignal.status == 1 && badSignal.stderr.contains("unknown signal"), "\(badSignal)")
        #expect(oci(["kill", id, "KILL"]).status == 0)
        #expect(host.eventually(5) { ociState(id)?["status"] as? String == "stopped" })
        #expect(ociState(id)?["pid"] as? Int == 0)
        #expect(oci(["kill", id]).stderr.contains("container not running"))
        #expect(oci(["delete", id]).status == 0)
        let gone = oci(["state", id])
        #expect(gone.status == 1 && gone.stderr.contains("container does not exist"), "\(gone)")
        #expect(oci(["delete", "--force", id]).status == 0, "delete --force of a missing container succeeds, as runc")
        expectNothingLeft(id, pid: Int32(pid))
        // Only what an OCI container can leave: veths and NAT rules belong to other users of the host.
        let after = HostSnapshot.take()
        #expect(after.cgroups == before.cgroups && after.mounts == before.mounts && after.processes == before.processes, "\(after)")
    }

    @Test func ociDeleteOfACreatedContainerKillsItsInit() throws {
        let bundle = try busyboxBundle("created1", args: ["true"])
        #expect(oci(["create", "-b", bundle, "created1"]).status == 0)
        let pid = try #require(ociState("created1")?["pid"] as? Int)
        #expect(oci(["delete", "created1"]).status == 0)
        expectNothingLeft("created1", pid: Int32(pid))
    }

    @Test func ociBadBinaryFailsCreateNamingTheCause() throws {
        let bundle = try busyboxBundle("bad1", args: ["/bin/no-such-binary"])
        let create = oci(["create", "--bundle", bundle, "bad1"])
        #expect(create.status == 1)
        #expect(create.stderr.contains("container bad1"), "\(create.stderr)")
        #expect(create.stderr.contains("/bin/no-such-binary") && create.stderr.contains("no such file or directory"), "\(create.stderr)")
        expectNothingLeft("bad1")

        let notInPath = try busyboxBundle("bad2", args: ["no-such-command"])
        let run = oci(["run", "--bundle", notInPath, "bad2"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("executable file not found in $PATH"), "\(run.stderr)")
        expectNothingLeft("bad2")
    }

    @Test func ociExecRunsInTheContainersNamespaces() throws {
        let id = "exec1"
        let bundle = try busyboxBundle(id, args: ["sh", "-c", "exec sleep 1000 >/dev/null 2>&1"])
        defer { oci(["delete", "--force", id]) }
        #expect(oci(["run", "--detach", "--bundle", bundle, id]).status == 0)
        #expect(ociState(id)?["status"] as? String == "running")
        let exec = oci(["exec", id, "sh", "-c", "echo $((6*7)) $(hostname) $FOO; pidof sleep"])
        #expect(exec.status == 0, "\(exec.stderr)")
        #expect(exec.stdout == "42 \(id)\n1\n", "\(exec.stdout)")
        #expect(oci(["exec", "--env", "FOO=bar", "--cwd", "/tmp", id, "sh", "-c", "echo $FOO $(pwd)"]).stdout == "bar /tmp\n")
        #expect(oci(["exec", id, "sh", "-c", "exit 5"]).status == 5)
        let missing = oci(["exec", id, "no-such-command"])
        #expect(missing.status == 255 && missing.stderr.contains("executable file not found"), "\(missing)")

        let processFile = host.base + "/oci-bundles/process.json"
        try #"{"args":["sh","-c","echo from-process-file"],"cwd":"/","user":{"uid":0,"gid":0},"env":["PATH=/bin"]}"#
            .write(toFile: processFile, atomically: true, encoding: .utf8)
        #expect(oci(["exec", "--process", processFile, id]).stdout == "from-process-file\n")

        let pid = try #require(ociState(id)?["pid"] as? Int)
        #expect(oci(["delete", "--force", id]).status == 0)
        expectNothingLeft(id, pid: Int32(pid))
        #expect(oci(["exec", id, "true"]).status == 1)
    }
}
