import Foundation
import Testing

/// securityContext, hostPath types and workingDir as a Kubernetes node gives them.
extension Integration {
    func singleContainerPod(_ name: String, container: String, volumes: String = "", restartPolicy: String = "Always") -> String {
        host.manifest(
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: \(name)
            spec:
              restartPolicy: \(restartPolicy)
              containers:
                - name: main
                  image: busybox:1.36
            \(container)
            \(volumes)
            """, name: name)
    }

    /// The effective set of the container's pid 1, as /proc shows it.
    func effectiveCapabilities(_ pod: String) -> String {
        host.run(["exec", pod, "--", "sh", "-c", "grep CapEff /proc/1/status | cut -f2"]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func dropAllThenAddGivesExactlyTheAddedCapability() throws {
        defer { host.cleanup(["caps-net-admin"]) }
        let path = singleContainerPod(
            "caps-net-admin",
            container: """
                      command: ["sleep", "3600"]
                      securityContext:
                        capabilities: {drop: [ALL], add: [NET_ADMIN]}
                """)
        let run = host.run(["run", path])
        try #require(run.status == 0, "\(run.stderr)")
        #expect(effectiveCapabilities("caps-net-admin") == "0000000000001000", "CAP_NET_ADMIN (bit 12) alone")
        let ip = host.run(["exec", "caps-net-admin", "--", "ip", "link", "set", "lo", "mtu", "1500"])
        #expect(ip.status == 0, "NET_ADMIN lets it change a link: \(ip.stderr)")
    }

    /// On a host whose bounding set lacks a capability (this one has no CAP_SYS_RESOURCE),
    /// a privileged container still starts, with exactly what the host holds.
    @Test func privilegedGetsWhatTheHostHasDevicesAndAWritableSys() throws {
        defer { host.cleanup(["privileged"]) }
        let path = singleContainerPod(
            "privileged",
            container: """
                      command: ["sleep", "3600"]
                      securityContext: {privileged: true}
                """)
        let run = host.run(["run", path])
        try #require(run.status == 0, "\(run.stderr)")
        let hostBounding = shell("grep CapBnd /proc/self/status | cut -f2").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(effectiveCapabilities("privileged") == hostBounding)
        #expect(host.run(["exec", "privileged", "--", "sh", "-c", "mkdir -p /tmp/m && mount -t tmpfs none /tmp/m"]).status == 0, "mount is allowed")
        #expect(host.run(["exec", "privileged", "--", "sh", "-c", "grep ' /sys ' /proc/mounts | grep -q rw,"]).status == 0, "/sys is writable")
        #expect(host.run(["exec", "privileged", "--", "sh", "-c", "grep ' /proc/sys ' /proc/mounts"]).stdout.isEmpty, "/proc/sys is not read-only")
        // The host's block devices are there, and the device cgroup allows every device.
        let disk = shell("lsblk -dno NAME 2>/dev/null | head -1").trimmingCharacters(in: .whitespacesAndNewlines)
        if !disk.isEmpty {
            #expect(host.run(["exec", "privileged", "--", "test", "-b", "/dev/" + disk]).status == 0, "/dev/\(disk) is in the container")
        }
        if FileManager.default.fileExists(atPath: "/sys/fs/cgroup/devices") {
            #expect(shell("cat /sys/fs/cgroup/devices/minipod-test/*/main/devices.list") == "a *:* rwm\n")
        }
    }

    @Test func hostPathTypesAreCheckedAndCreatedAsKubeletDoes() throws {
        defer { host.cleanup(["hostpath-types"]) }
        let dir = host.base + "/hostpath-types"
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "x".write(toFile: dir + "/a-file", atomically: true, encoding: .utf8)
        func pod(_ path: String, _ type: String) -> String {
            singleContainerPod(
                "hostpath-types",
                container: """
                          command: ["sleep", "3600"]
                          volumeMounts: [{name: h, mountPath: /h}]
                    """,
                volumes: """
                      volumes:
                        - name: h
                          hostPath: {path: \(path), type: \(type)}
                    """)
        }
        func refused(_ path: String, _ type: String, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
            let run = host.run(["run", pod(path, type)])
            #expect(run.status != 0, sourceLocation: sourceLocation)
            #expect(
                run.stderr.contains("MountVolume.SetUp failed for volume \"h\" : hostPath type check failed: \(path) is not \(message)"),
                "\(run.stderr)", sourceLocation: sourceLocation)
            #expect(host.run(["get", "pod", "hostpath-types"]).status != 0, "nothing is left", sourceLocation: sourceLocation)
        }
        refused(dir + "/a-file", "Directory", "a directory")
        refused(dir + "/missing", "Directory", "a directory")
        refused(dir, "File", "a file")
        refused(dir + "/a-file", "Socket", "a socket file")
        refused(dir + "/a-file", "CharDevice", "a character device")
        refused(dir + "/a-file", "BlockDevice", "a block device")
        #expect(!FileManager.default.fileExists(atPath: dir + "/missing"))

        var run = host.run(["run", pod(dir + "/made/deeper", "DirectoryOrCreate")])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(shell("stat -c '%F %a' \(dir)/made/deeper") == "directory 755\n")
        host.cleanup(["hostpath-types"])
        run = host.run(["run", pod(dir + "/made/file", "FileOrCreate")])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(shell("stat -c '%F %a %s' \(dir)/made/file") == "regular empty file 644 0\n")
        #expect(host.run(["exec", "hostpath-types", "--", "sh", "-c", "echo hi > /h; cat /h"]).stdout == "hi\n")
        host.cleanup(["hostpath-types"])
        run = host.run(["run", pod("/dev/null", "CharDevice")])
        #expect(run.status == 0, "\(run.stderr)")
    }

    @Test func aMissingWorkingDirIsCreated() throws {
        defer { host.cleanup(["workdir"]) }
        let path = singleContainerPod(
            "workdir",
            container: """
                      command: ["sh", "-c", "pwd; sleep 3600"]
                      workingDir: /not/in/the/image
                """)
        let run = host.run(["run", path])
        try #require(run.status == 0, "\(run.stderr)")
        #expect(host.eventually { host.run(["logs", "workdir"]).stdout == "/not/in/the/image\n" }, "\(host.run(["logs", "workdir"]))")
    }
}
