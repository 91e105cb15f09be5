import Foundation
import Testing

/// `hostUsers: false`: each pod in a user namespace of its own, with a block of 65536
/// host IDs; its root is an unprivileged host user.
extension Integration {
    /// A lab manifest with `hostUsers: false` and nothing else changed.
    func ownUsers(_ example: String) throws -> String {
        let text = try String(contentsOfFile: host.example(example), encoding: .utf8)
        return host.manifest(text.replacingOccurrences(of: "\nspec:\n", with: "\nspec:\n  hostUsers: false\n"))
    }

    /// A busybox pod (container "main") in a user namespace of its own.
    func ownUsersBusybox(_ name: String, capabilities: [String] = []) -> String {
        let security = capabilities.isEmpty ? "" : ", securityContext: {capabilities: {add: [\(capabilities.joined(separator: ", "))]}}"
        return host.manifest(
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: \(name)}
            spec:
              hostUsers: false
              containers:
                - {name: main, image: busybox:1.36, command: [sleep, "3600"]\(security)}
            """)
    }

    /// A container's pid as the host sees it (runtime.json).
    func containerPID(_ pod: String, _ container: String) throws -> Int32 {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(host.base)/run/pods/default_\(pod)/runtime.json"))
        let runtime = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let containers = runtime?["containers"] as? [String: Any]
        return Int32(try #require((containers?[container] as? [String: Any])?["pid"] as? Int))
    }

    /// The real uid of a process as the host sees it.
    func hostUID(_ pid: Int32) -> String? {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        return status.split(separator: "\n").first { $0.hasPrefix("Uid:") }?.split(separator: "\t").dropFirst().first.map(String.init)
    }

    func podUID(_ pod: String) throws -> String {
        let json = host.run(["get", "pod", pod, "-o", "jsonpath={.metadata.uid}"]).stdout
        return try #require(json.isEmpty ? nil : json)
    }

    /// The base of the pod's block, from what its container reads in /proc/self/uid_map.
    func idBase(_ pod: String, _ container: String) throws -> UInt32 {
        let map = host.run(["exec", pod, "-c", container, "--", "cat", "/proc/self/uid_map"]).stdout
        let fields = map.split(whereSeparator: { $0 == " " || $0 == "\n" })
        try #require(fields.count == 3 && fields[0] == "0" && fields[2] == "65536", "uid_map: \(map)")
        return try #require(UInt32(fields[1]))
    }

    /// Lab 1 unchanged but for hostUsers: nginx logs into the emptyDir, the sidecar tails
    /// them; inside, root is 0 mapped to the pod's block, outside the same processes run
    /// as that unprivileged host uid; the emptyDir's files carry the mapped IDs on the host.
    @Test func sidecarLabRunsWithItsOwnUsers() throws {
        let before = HostSnapshot.take()
        defer { host.cleanup(["sidecar-demo"]) }
        let run = host.run(["run", try ownUsers("sidecar-pod.yaml")])
        try #require(run.status == 0, "\(run.stderr)")
        #expect(host.run(["get", "pods"]).stdout.contains("sidecar-demo   2/2     Running   0"))

        #expect(host.run(["exec", "sidecar-demo", "-c", "nginx", "--", "id", "-u"]).stdout == "0\n")
        let base = try idBase("sidecar-demo", "nginx")
        #expect(base >= 65536)
        #expect(try idBase("sidecar-demo", "log-reader") == base, "the pod's containers share its block")
        #expect(hostUID(try containerPID("sidecar-demo", "nginx")) == String(base))
        #expect(hostUID(try containerPID("sidecar-demo", "log-reader")) == String(base))
        // The image's files are root's inside, without a copy or chown of the layers.
        let listing = host.run(["exec", "sidecar-demo", "-c", "nginx", "--", "ls", "-ln", "/usr/sbin/nginx", "/etc/passwd"]).stdout
        #expect(listing.split(separator: "\n").allSatisfy { $0.contains(" 0 0 ") }, "\(listing)")
        // /etc/hosts, hostname and resolv.conf are readable.
        let files = host.run(["exec", "sidecar-demo", "-c", "nginx", "--", "cat", "/etc/hosts", "/etc/hostname", "/etc/resolv.conf"])
        #expect(files.status == 0 && files.stdout.contains("sidecar-demo"), "\(files.stderr)")

        let ip = try #require(host.podIP("sidecar-demo"))
        for _ in 1...3 { #expect(shell("curl -s --max-time 5 http://\(ip)/").utf8.count == 615) }
        var logs = ""
        #expect(
            host.eventually(10) {
                logs = host.run(["logs", "sidecar-demo", "-c", "log-reader"]).stdout
                return logs.components(separatedBy: "\"GET / HTTP/1.1\" 200 615").count - 1 >= 3
            }, "log-reader showed: \(logs)")
        let volume = "\(host.base)/root/pods/\(try podUID("sidecar-demo"))/volumes/shared-logs"
        let owners = shell("stat -c '%n %u %g' \(volume)/access.log \(volume)")
        #expect(owners.split(separator: "\n").allSatisfy { $0.hasSuffix(" \(base) \(base)") }, "\(owners)")

        #expect(host.run(["get", "pod", "sidecar-demo", "-o", "yaml"]).stdout.contains("hostUsers: false"))
        let describe = host.run(["describe", "pod", "sidecar-demo"]).stdout
        #expect(describe.contains("User Namespace:   uids and gids 0-65535 → host \(base)-\(base + 65535)"), "\(describe)")
        #expect(host.run(["delete", "pod", "sidecar-demo", "--grace-period=1"]).status == 0)
        #expect(HostSnapshot.take() == before, "left behind: \(HostSnapshot.take())")
    }

    /// Lab 4: the init container writes the page into an emptyDir that nginx serves.
    @Test func initSidecarLabRunsWithItsOwnUsers() throws {
        let before = HostSnapshot.take()
        defer { host.cleanup(["init-sidecar-demo"]) }
        let run = host.run(["run", try ownUsers("init-sidecar.yaml")])
        try #require(run.status == 0, "\(run.stderr)")
        let ip = try #require(host.podIP("init-sidecar-demo"))
        #expect(shell("curl -s --max-time 5 http://\(ip)/").contains("Initialized by init container!"))
        #expect(host.eventually(10) { host.run(["logs", "init-sidecar-demo", "-c", "log-reader"]).stdout.contains("GET / HTTP/1.1") })
        let base = try idBase("init-sidecar-demo", "nginx")
        let page = "\(host.base)/root/pods/\(try podUID("init-sidecar-demo"))/volumes/html/index.html"
        #expect(shell("stat -c '%u %g' \(page)") == "\(base) \(base)\n", "written by the init container's root")
        #expect(host.run(["delete", "pod", "init-sidecar-demo", "--grace-period=1"]).status == 0)
        #expect(HostSnapshot.take() == before, "left behind: \(HostSnapshot.take())")
    }

    /// Two pods get disjoint blocks; a deleted pod's block is free again, and so is the
    /// block of a pod whose supervisor was SIGKILLed while setting up, once collected.
    @Test func podsGetDisjointIDBlocksThatComeBack() throws {
        let before = HostSnapshot.take()
        defer { host.cleanup(["userns-a", "userns-b", "sidecar-demo"]) }
        for name in ["userns-a", "userns-b"] { try #require(host.run(["run", ownUsersBusybox(name)]).status == 0) }
        let a = try idBase("userns-a", "main")
        let b = try idBase("userns-b", "main")
        #expect(a != b && (a + 65536 <= b || b + 65536 <= a), "blocks \(a) and \(b) overlap")
        #expect(HostSnapshot.take().idLeases.sorted() == [String(a), String(b)].sorted())
        #expect(host.run(["delete", "pod", "userns-a", "--grace-period=0"]).status == 0)
        #expect(HostSnapshot.take().idLeases == [String(b)])

        // Killed after its sandbox (user namespace included) was made, before it was complete.
        let crashed = host.run(
            ["run", try ownUsers("sidecar-pod.yaml")], timeout: 30, extraEnvironment: ["MINIPOD_FAULT": "supervisor-after-sandbox"])
        #expect(crashed.status != 0)
        _ = host.run(["get", "pods"])  // collects it
        #expect(host.eventually(5) { HostSnapshot.take().idLeases == [String(b)] }, "\(HostSnapshot.take().idLeases)")
        #expect(host.run(["delete", "pod", "userns-b", "--grace-period=0"]).status == 0)
        #expect(HostSnapshot.take() == before, "left behind: \(HostSnapshot.take())")
    }

    /// Root in the pod's user namespace holds no host power: even with CAP_SYS_ADMIN and
    /// CAP_SYS_MODULE added it writes no host sysctl, loads no module, makes no device
    /// node of a host disk, mounts none, and without them it mounts nothing at all.
    @Test func rootWithItsOwnUsersHoldsNoHostPower() throws {
        defer { host.cleanup(["userns-power", "userns-caps"]) }
        try #require(host.run(["run", ownUsersBusybox("userns-power")]).status == 0)
        func sh(_ pod: String, _ script: String) -> TestHost.Result {
            host.run(["exec", pod, "--", "sh", "-c", script])
        }
        #expect(sh("userns-power", "mkdir -p /mnt/t && mount -t tmpfs t /mnt/t").status != 0, "mount without CAP_SYS_ADMIN")
        #expect(sh("userns-power", "echo 1 > /proc/sys/kernel/sysrq").status != 0)

        let disk = shell("findmnt -no MAJ:MIN /").trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ":")
        try #require(disk.count == 2)
        try #require(host.run(["run", ownUsersBusybox("userns-caps", capabilities: ["SYS_ADMIN", "SYS_MODULE", "MKNOD"])]).status == 0)
        let sysrq = shell("cat /proc/sys/kernel/sysrq")
        #expect(sh("userns-caps", "echo 0 > /proc/sys/kernel/sysrq").status != 0)
        #expect(sh("userns-caps", "mount -o remount,rw /proc/sys && echo 0 > /proc/sys/kernel/sysrq").status != 0)
        #expect(shell("cat /proc/sys/kernel/sysrq") == sysrq)
        #expect(sh("userns-caps", "mknod /tmp/disk b \(disk[0]) \(disk[1])").status != 0, "a device node in a user namespace")
        #expect(sh("userns-caps", "mount -t ext4 /dev/null /mnt").status != 0)
        // The capabilities are there, in the pod's namespace (bits 21 SYS_ADMIN, 16 SYS_MODULE).
        let capEff = sh("userns-caps", "grep CapEff /proc/self/status").stdout.split(separator: "\t").last.flatMap {
            UInt64($0.trimmingCharacters(in: .whitespacesAndNewlines), radix: 16)
        }
        #expect(capEff.map { $0 & (1 << 21) != 0 && $0 & (1 << 16) != 0 } == true, "\(String(describing: capEff))")
        // What the kernel says of CAP_SYS_MODULE outside the initial user namespace: EPERM. A kernel
        // built without modules (this test VM's: no /proc/modules) answers ENOSYS to everyone.
        let module = sh("userns-caps", "insmod /bin/busybox 2>&1")
        #expect(module.status != 0)
        if FileManager.default.fileExists(atPath: "/proc/modules") {
            #expect((module.stdout + module.stderr).contains("not permitted"), "\(module.stdout)\(module.stderr)")
        }
    }

    /// A host whose kernel or layer filesystem cannot ID-map (stood in for by a fault point
    /// that fails the layer's mount_setattr as such a filesystem does): the pod is refused
    /// naming spec.hostUsers, and nothing of it is left.
    @Test func hostUsersFalseIsRefusedWhereLayersCannotBeIDMapped() throws {
        let before = HostSnapshot.take()
        defer { host.cleanup(["sidecar-demo"]) }
        let run = host.run(["run", try ownUsers("sidecar-pod.yaml")], extraEnvironment: ["MINIPOD_FAULT": "idmap-layer"])
        #expect(run.status != 0)
        #expect(run.stderr.contains("spec.hostUsers: false needs ID-mapped image layers"), "\(run.stderr)")
        #expect(run.stderr.contains("Invalid argument"), "\(run.stderr)")
        #expect(host.run(["get", "pods"]).stdout.isEmpty)
        #expect(HostSnapshot.take() == before, "left behind: \(HostSnapshot.take())")
    }
}
