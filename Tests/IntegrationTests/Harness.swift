import Foundation
import Testing

/// Runs the real minipod binaries against a private root (state, images,
/// logs, CNI network and cgroup parent of its own) so tests never touch a
/// user's pods. Built by `swift build --build-tests` beside this test bundle.
final class TestHost: @unchecked Sendable {
    static let shared = TestHost()

    let base: String
    let environment: [String: String]
    let binary: String
    let packageRoot: String
    private(set) var setupError: String?

    static var isRoot: Bool { getuid() == 0 }

    private init() {
        packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        binary = ProcessInfo.processInfo.environment["MINIPOD_BIN"] ?? packageRoot + "/.build/debug/minipod"
        base = "/tmp/minipod-it-\(getpid())"
        var env = ProcessInfo.processInfo.environment
        env["MINIPOD_ROOT"] = base + "/root"
        env["MINIPOD_STATE"] = base + "/run"
        env["MINIPOD_LOGS"] = base + "/log"
        env["MINIPOD_CNI_CONF"] = base + "/cni"
        env["MINIPOD_CGROUP_PARENT"] = "minipod-test"
        environment = env
        guard Self.isRoot else { return }
        Self.removeStaleTestRoots()
        testRootToRemove = base
        atexit { if let base = testRootToRemove { _ = shell("rm -rf --one-file-system \(base)") } }
        do {
            try FileManager.default.createDirectory(atPath: base + "/cni", withIntermediateDirectories: true)
            // Its own bridge and subnet, so tests never hand out a user pod's address.
            let conflist = """
                {"cniVersion":"1.0.0","name":"minipod-test","plugins":[
                  {"type":"bridge","bridge":"minipodt0","isGateway":true,"ipMasq":false,"hairpinMode":true,
                   "ipam":{"type":"host-local","ranges":[[{"subnet":"10.87.0.0/24"}]],"routes":[{"dst":"0.0.0.0/0"}],
                           "dataDir":"\(base)/root/cni/networks"}},
                  {"type":"portmap","capabilities":{"portMappings":true}}]}
                """
            try conflist.write(toFile: base + "/cni/minipod.conflist", atomically: true, encoding: .utf8)
            let imageDir = ProcessInfo.processInfo.environment["MINIPOD_IMAGE_DIR"] ?? "/var/cache/minipod/images"
            let load = run(["image", "load", imageDir + "/busybox_1.36.tar", imageDir + "/nginx_1.25.tar"])
            if load.status != 0 { setupError = "cannot load test images (run `make images`): \(load.stderr)" }
        } catch {
            setupError = "\(error)"
        }
    }

    /// Test roots of earlier runs whose process is gone and that hold no pod.
    static func removeStaleTestRoots() {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? [] where name.hasPrefix("minipod-it-") {
            guard let pid = Int32(name.dropFirst("minipod-it-".count)), kill(pid, 0) != 0 else { continue }
            let pods = (try? FileManager.default.contentsOfDirectory(atPath: "/tmp/\(name)/run/pods")) ?? []
            if pods.isEmpty { _ = shell("rm -rf --one-file-system /tmp/\(name)") }
        }
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    @discardableResult
    func run(_ args: [String], stdin: String? = nil, timeout: TimeInterval = 120, extraEnvironment: [String: String] = [:]) -> Result {
        runProgram(binary, args, environment: environment.merging(extraEnvironment) { _, new in new }, stdin: stdin, timeout: timeout)
    }

    /// Any program, its output collected while it runs.
    func runProgram(_ program: String, _ args: [String], environment: [String: String], stdin: String? = nil, timeout: TimeInterval = 120) -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: program)
        p.arguments = args
        p.environment = environment
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = stdin == nil ? FileHandle.nullDevice : input
        do { try p.run() } catch { return Result(status: -1, stdout: "", stderr: "\(error)") }
        if let stdin {
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try? input.fileHandleForWriting.close()
        }
        // Read both pipes while the process runs, so a large output cannot block it.
        let outData = DataBox()
        let errData = DataBox()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            outData.data = out.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        group.enter()
        DispatchQueue.global().async {
            errData.data = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { usleep(10_000) }
        if p.isRunning {
            p.terminate()
            usleep(100_000)
            kill(p.processIdentifier, SIGKILL)
        }
        group.wait()
        p.waitUntilExit()
        return Result(
            status: p.terminationStatus, stdout: String(decoding: outData.data, as: UTF8.self),
            stderr: String(decoding: errData.data, as: UTF8.self))
    }

    /// Starts a long-running command (port-forward, logs -f, get -w); the caller stops it.
    func start(_ args: [String], extraEnvironment: [String: String] = [:]) throws -> (Process, Pipe) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        p.environment = environment.merging(extraEnvironment) { _, new in new }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        p.standardInput = FileHandle.nullDevice
        try p.run()
        _ = fcntl(out.fileHandleForReading.fileDescriptor, F_SETFL, O_NONBLOCK)
        return (p, out)
    }

    /// Ends a process from start() for sure (SIGKILL: the runner may have SIGTERM blocked for its children).
    func stop(_ p: Process) {
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
    }

    func example(_ name: String) -> String { packageRoot + "/examples/" + name }

    /// A manifest of one busybox container running `command`, written to a temp file.
    func busyboxPod(_ name: String, command: [String], restartPolicy: String = "Always") -> String {
        let args = command.map { "\"\($0)\"" }.joined(separator: ", ")
        return manifest(
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: \(name)}
            spec:
              restartPolicy: \(restartPolicy)
              containers:
                - {name: app, image: busybox:1.36, command: [\(args)]}
            """)
    }

    /// Writes a manifest to a temp file and returns its path.
    func manifest(_ yaml: String, name: String = UUID().uuidString) -> String {
        let path = base + "/manifests/\(name).yaml"
        try? FileManager.default.createDirectory(atPath: base + "/manifests", withIntermediateDirectories: true)
        try? yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func podIP(_ pod: String) -> String? {
        let ip = run(["get", "pod", pod, "-o", "jsonpath={.status.podIP}"]).stdout
        return ip.isEmpty ? nil : ip
    }

    /// The pid of this test host's supervisor of `pod` (default namespace): the one whose
    /// environment names this host's state directory.
    func supervisorPID(_ pod: String) -> pid_t? {
        pid_t(
            shell(
                "for p in $(pgrep -f 'minipod-supervisor default_\(pod)'); do grep -qz 'MINIPOD_STATE=\(base)/run' /proc/$p/environ && echo $p; done | head -1"
            )
            .trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Polls until `check` holds (returns true) or the time is up.
    func eventually(_ timeout: TimeInterval = 10, _ check: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if check() { return true }
            usleep(50_000)
        }
        return check()
    }

    /// Deletes pods at the end of a test even when it failed.
    func cleanup(_ pods: [String]) {
        run(["delete", "pod"] + pods + ["--grace-period=0", "--ignore-not-found"])
    }
}

/// What a pod can leave on a host, read from the host itself.
struct HostSnapshot: Equatable, CustomStringConvertible {
    var mounts: [String]
    var netns: [String]
    var links: [String]
    var cgroups: [String]
    var processes: [String]
    var natRules: [String]
    var leases: [String]
    /// Blocks of host IDs leased to `hostUsers: false` pods.
    var idLeases: [String]
    var stateFiles: [String]

    static func take(_ host: TestHost = .shared) -> HostSnapshot {
        let mountinfo = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        let mounts = mountinfo.split(separator: "\n").map { String($0.split(separator: " ")[4]) }
            .filter { $0.hasPrefix(host.base) }.sorted()
        let netns = ((try? FileManager.default.contentsOfDirectory(atPath: host.base + "/run/netns")) ?? []).sorted()
        let links = shell("ip -o link show | awk -F': ' '{print $2}' | cut -d@ -f1").split(separator: "\n").map(String.init)
            .filter { $0.hasPrefix("veth") }.sorted()
        var cgroups: [String] = []
        for controller in ((try? FileManager.default.contentsOfDirectory(atPath: "/sys/fs/cgroup")) ?? []) {
            let dir = "/sys/fs/cgroup/\(controller)/minipod-test"
            var isDir: ObjCBool = false
            for sub in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
            where FileManager.default.fileExists(atPath: dir + "/" + sub, isDirectory: &isDir) && isDir.boolValue {
                cgroups.append("\(controller)/\(sub)")
            }
        }
        let processes = shell("ps -eo pid=,args= | grep -F -- 'minipod-supervisor default_' | grep -v grep || true")
            .split(separator: "\n").map(String.init)
        let nat = shell("iptables -t nat -S 2>/dev/null | grep -c 10.87.0 || true").split(separator: "\n").map(String.init)
        let leases = ((try? FileManager.default.contentsOfDirectory(atPath: host.base + "/root/cni/networks/minipod-test")) ?? [])
            .filter { $0.hasPrefix("10.") }.sorted()
        let idLeases = ((try? FileManager.default.contentsOfDirectory(atPath: host.base + "/root/userns")) ?? [])
            .filter { $0 != "lock" }.sorted()
        let state =
            ((try? FileManager.default.contentsOfDirectory(atPath: host.base + "/run/pods")) ?? []).sorted()
            + ((try? FileManager.default.contentsOfDirectory(atPath: host.base + "/root/pods")) ?? []).sorted()
        return HostSnapshot(
            mounts: mounts, netns: netns, links: links, cgroups: cgroups.sorted(), processes: processes,
            natRules: nat, leases: leases, idLeases: idLeases, stateFiles: state)
    }

    var description: String {
        "mounts=\(mounts) netns=\(netns) veths=\(links) cgroups=\(cgroups) processes=\(processes) nat=\(natRules) leases=\(leases) idLeases=\(idLeases) state=\(stateFiles)"
    }
}

final class DataBox: @unchecked Sendable { var data = Data() }

/// Removed when the test process exits (pods are deleted by each test first).
nonisolated(unsafe) var testRootToRemove: String?

extension Pipe {
    /// What the pipe holds right now, without waiting (start() made it non-blocking).
    func drain() -> String {
        var result = Data()
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fileHandleForReading.fileDescriptor, &buf, buf.count)
            if n <= 0 { break }
            result.append(contentsOf: buf[0..<n])
        }
        return String(decoding: result, as: UTF8.self)
    }
}

/// VmRSS of a process in KiB, nil if it is gone.
func residentKiB(_ pid: pid_t) -> Int? {
    let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
    return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
}

@discardableResult
func shell(_ command: String) -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", command]
    let out = Pipe()
    p.standardOutput = out
    p.standardError = FileHandle.nullDevice
    try? p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}
