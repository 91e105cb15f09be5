import Foundation
import Testing

/// `minipod oci` with the namespaces runc supports beyond a pod's: a user namespace
/// with id maps, pid and mount namespaces joined by path, a time namespace, no mount
/// namespace at all, and linux.devices.
extension Integration {
    /// Changes `config.json` of a bundle with `edit` on its JSON object.
    func editConfig(_ bundle: String, _ edit: (inout [String: Any]) throws -> Void) throws {
        let path = bundle + "/config.json"
        var config = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        try edit(&config)
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: path))
    }

    func editLinux(_ bundle: String, _ edit: (inout [String: Any]) -> Void) throws {
        try editConfig(bundle) { config in
            var linux = try #require(config["linux"] as? [String: Any])
            edit(&linux)
            config["linux"] = linux
        }
    }

    func namespaceLink(_ pid: Int, _ ns: String) -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/ns/\(ns)")) ?? "unreadable"
    }

    @Test func ociUserNamespaceMakesTheContainersRootAnUnprivilegedHostUser() throws {
        let id = "userns1"
        let bundle = try busyboxBundle(id, args: ["sleep", "1000"])
        // A host directory only host root may write: the container's root must not either.
        // (/home exists in the image: the mapped root cannot make directories in a rootfs host root owns.)
        let hostDir = host.base + "/oci-bundles/root-only"
        try FileManager.default.createDirectory(atPath: hostDir, withIntermediateDirectories: true)
        try editConfig(bundle) { config in
            var mounts = config["mounts"] as? [[String: Any]] ?? []
            mounts.append(["destination": "/home", "type": "bind", "source": hostDir, "options": ["rbind", "rw"]])
            config["mounts"] = mounts
        }
        try editLinux(bundle) { linux in
            var namespaces = linux["namespaces"] as? [[String: Any]] ?? []
            namespaces.append(["type": "user"])
            linux["namespaces"] = namespaces
            linux["uidMappings"] = [["containerID": 0, "hostID": 200000, "size": 65536]]
            linux["gidMappings"] = [["containerID": 0, "hostID": 200000, "size": 65536]]
        }
        defer { oci(["delete", "--force", id]) }
        let run = oci(["run", "--detach", "--bundle", bundle, id])
        #expect(run.status == 0, "\(run.stderr)")
        let pid = try #require(ociState(id)?["pid"] as? Int)
        #expect(
            shell("stat -c %u:%g /proc/\(pid)").trimmingCharacters(in: .whitespacesAndNewlines) == "200000:200000",
            "the container's process must belong to the mapped host user")
        #expect(namespaceLink(pid, "user") != namespaceLink(Int(getpid()), "user"))

        let inside = oci(["exec", id, "sh", "-c", "id -u; cat /proc/self/uid_map; stat -c %u /bin/busybox; hostname"])
        #expect(inside.status == 0, "\(inside.stderr)")
        let lines = inside.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        #expect(lines == ["0", "0 200000 65536", "65534", id], "\(inside.stdout)")
        let write = oci(["exec", id, "touch", "/home/file"])
        #expect(write.status != 0 && write.stderr.contains("Permission denied"), "root of a user namespace wrote a host-root directory: \(write)")
        #expect(!FileManager.default.fileExists(atPath: hostDir + "/file"))

        #expect(oci(["delete", "--force", id]).status == 0)
        expectNothingLeft(id, pid: Int32(pid))
    }

    @Test func ociUserNamespaceMistakesAreRefusedBeforeAnythingIsMade() throws {
        let before = HostSnapshot.take()
        let id = "userns2"
        let bundle = try busyboxBundle(id, args: ["true"])
        try editLinux(bundle) { linux in
            var namespaces = linux["namespaces"] as? [[String: Any]] ?? []
            namespaces.append(["type": "user"])
            linux["namespaces"] = namespaces
            linux["uidMappings"] = [["containerID": 0, "hostID": 200000, "size": 65536]]
        }
        let missingGid = oci(["run", "--bundle", bundle, id])
        #expect(missingGid.status != 0 && missingGid.stderr.contains("linux.gidMappings"), "\(missingGid)")
        expectNothingLeft(id)
        try editLinux(bundle) { linux in
            linux["namespaces"] = (linux["namespaces"] as? [[String: Any]] ?? []).filter { $0["type"] as? String != "user" }
            linux["gidMappings"] = [["containerID": 0, "hostID": 200000, "size": 65536]]
        }
        let noUserNamespace = oci(["run", "--bundle", bundle, id])
        #expect(noUserNamespace.status != 0 && noUserNamespace.stderr.contains("need a new user namespace"), "\(noUserNamespace)")
        expectNothingLeft(id)
        let after = HostSnapshot.take()
        #expect(after.cgroups == before.cgroups && after.mounts == before.mounts && after.processes == before.processes, "\(after)")
    }

    @Test func ociJoinsAnotherContainersPidNamespaceAndAHoldersMountNamespaceByPath() throws {
        let target = "pidns-target"
        let debug = "pidns-debug"
        let mountJoiner = "mntns-joiner"
        defer { [debug, target, mountJoiner].forEach { oci(["delete", "--force", $0]) } }
        let targetBundle = try busyboxBundle(target, args: ["sleep", "1001"])
        #expect(oci(["run", "--detach", "--bundle", targetBundle, target]).status == 0)
        let targetPid = try #require(ociState(target)?["pid"] as? Int)

        // A debug container in the target's pid namespace (kubectl debug --target), with its own rootfs.
        let debugBundle = try busyboxBundle(debug, args: ["sleep", "1002"])
        try editLinux(debugBundle) { linux in
            linux["namespaces"] = (linux["namespaces"] as? [[String: Any]] ?? []).map { ns in
                ns["type"] as? String == "pid" ? ["type": "pid", "path": "/proc/\(targetPid)/ns/pid"] : ns
            }
        }
        let run = oci(["run", "--detach", "--bundle", debugBundle, debug])
        #expect(run.status == 0, "\(run.stderr)")
        let debugPid = try #require(ociState(debug)?["pid"] as? Int)
        #expect(namespaceLink(debugPid, "pid") == namespaceLink(targetPid, "pid"))
        #expect(namespaceLink(debugPid, "mnt") != namespaceLink(targetPid, "mnt"))
        let ps = oci(["exec", debug, "cat", "/proc/1/cmdline"])
        #expect(ps.stdout.replacingOccurrences(of: "\0", with: " ") == "sleep 1001 ", "pid 1 seen from the debug container: \(ps)")
        #expect(oci(["delete", "--force", debug]).status == 0)
        expectNothingLeft(debug, pid: Int32(debugPid))
        #expect(ociState(target)?["status"] as? String == "running", "the target must outlive the debug container")

        // A mount namespace held by another process (as `ip netns` holds network ones).
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        holder.arguments = ["--mount", "--propagation", "private", "sleep", "1003"]
        try holder.run()
        defer {
            kill(holder.processIdentifier, SIGKILL)
            holder.waitUntilExit()
        }
        let holderPid = Int(holder.processIdentifier)
        var tries = 0
        while namespaceLink(holderPid, "mnt") == namespaceLink(Int(getpid()), "mnt") && tries < 200 {
            usleep(10_000)
            tries += 1
        }
        let joinerBundle = try busyboxBundle(mountJoiner, args: ["sleep", "1004"])
        try editLinux(joinerBundle) { linux in
            linux["namespaces"] = (linux["namespaces"] as? [[String: Any]] ?? []).map { ns in
                ns["type"] as? String == "mount" ? ["type": "mount", "path": "/proc/\(holderPid)/ns/mnt"] : ns
            }
        }
        let hostMounts = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
        let joined = oci(["run", "--detach", "--bundle", joinerBundle, mountJoiner])
        #expect(joined.status == 0, "\(joined.stderr)")
        let joinerPid = try #require(ociState(mountJoiner)?["pid"] as? Int)
        #expect(namespaceLink(joinerPid, "mnt") == namespaceLink(holderPid, "mnt"))
        #expect(oci(["exec", mountJoiner, "hostname"]).stdout == "\(mountJoiner)\n")
        #expect(
            try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) == hostMounts,
            "the rootfs was set up in the holder's namespace, not the host's")
        #expect(oci(["delete", "--force", mountJoiner]).status == 0)
        expectNothingLeft(mountJoiner, pid: Int32(joinerPid))
    }

    @Test func ociWithoutAMountNamespaceTheContainerIsOnlyChrooted() throws {
        let id = "nomntns"
        let bundle = try busyboxBundle(id, args: ["sleep", "1000"])
        try editLinux(bundle) { linux in
            linux["namespaces"] = (linux["namespaces"] as? [[String: Any]] ?? []).filter { $0["type"] as? String != "mount" }
        }
        defer { oci(["delete", "--force", id]) }
        let hostMounts = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
        let run = oci(["run", "--detach", "--bundle", bundle, id])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("has no mount namespace: mounts, maskedPaths and readonlyPaths are not applied"), "\(run.stderr)")
        let pid = try #require(ociState(id)?["pid"] as? Int)
        #expect(namespaceLink(pid, "mnt") == namespaceLink(Int(getpid()), "mnt"))
        let rootfs = try #require((try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/root")))
        #expect(rootfs.hasSuffix("/oci-bundles/busybox-rootfs"), "root of the container: \(rootfs)")
        #expect(try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) == hostMounts, "the host's mounts changed")
        let ls = oci(["exec", id, "ls", "/bin/busybox"])
        #expect(ls.stdout == "/bin/busybox\n", "exec must land in the container's root: \(ls)")
        #expect(oci(["delete", "--force", id]).status == 0)
        expectNothingLeft(id, pid: Int32(pid))
    }

    @Test func ociDevicesAndATimeNamespaceWithABootClockOffset() throws {
        let id = "devtime"
        let bundle = try busyboxBundle(
            id,
            args: ["sh", "-c", "stat -c '%t %T %a %u %g %F' /dev/mynull /dev/myfifo; echo x > /dev/mynull && echo wrote; cut -d' ' -f1 /proc/uptime"])
        try editLinux(bundle) { linux in
            linux["devices"] = [
                ["path": "/dev/mynull", "type": "c", "major": 1, "minor": 3, "fileMode": 0o606, "uid": 1, "gid": 2],
                ["path": "/dev/myfifo", "type": "p", "fileMode": 0o600],
            ]
            var namespaces = linux["namespaces"] as? [[String: Any]] ?? []
            namespaces.append(["type": "time"])
            linux["namespaces"] = namespaces
            linux["timeOffsets"] = ["boottime": ["secs": 864000, "nanosecs": 0]]
        }
        let hostUptime = try #require(Double(try String(contentsOfFile: "/proc/uptime", encoding: .utf8).split(separator: " ")[0]))
        let run = oci(["run", "--bundle", bundle, id])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.prefix(3) == ["1 3 606 1 2 character special file", "0 0 600 0 0 fifo", "wrote"], "\(run.stdout)")
        let uptime = try #require(lines.last.flatMap(Double.init))
        #expect(abs(uptime - hostUptime - 864000) < 30, "uptime inside \(uptime), on the host \(hostUptime)")
        expectNothingLeft(id)
    }
}
