import Foundation
import Testing

extension Integration {
    static let creationSteps = [
        "run-after-reserve", "run-after-state", "run-after-spawn",
        "supervisor-after-sandbox", "supervisor-after-cni", "supervisor-after-volumes", "supervisor-after-create",
    ]

    /// SIGKILL of `minipod run` or of the new pod's supervisor at each step of
    /// pod creation: the next command completes the pod or removes what was
    /// half-made, and after `delete` the host is as before.
    @Test(arguments: creationSteps)
    func killedDuringCreationLeavesNothingBehind(step: String) throws {
        let before = HostSnapshot.take()
        defer { host.cleanup(["sidecar-demo"]) }
        let crashed = host.run(["run", host.example("sidecar-pod.yaml")], timeout: 30, extraEnvironment: ["MINIPOD_FAULT": step])
        #expect(crashed.status != 0, "\(step): run should not succeed")
        // The next command sees either a pod that completed (the supervisor survived) or none at all.
        let table = host.run(["get", "pods"]).stdout
        #expect(table.isEmpty || table.contains("sidecar-demo"), "\(step): \(table)")
        if table.contains("sidecar-demo") {
            #expect(host.run(["delete", "pod", "sidecar-demo", "--grace-period=0"]).status == 0)
        }
        // Stale state from a run killed right after reserving its name is collected after 10 s; age it.
        if step == "run-after-reserve" {
            _ = shell("touch -d '-1 minute' \(host.base)/run/pods/default_sidecar-demo 2>/dev/null")
            _ = host.run(["get", "pods"])
        }
        #expect(HostSnapshot.take() == before, "\(step) left: \(HostSnapshot.take())")
        // And the name is free again.
        #expect(host.run(["run", host.example("sidecar-pod.yaml")]).status == 0, "\(step)")
    }
}

extension Integration {
    /// A host reboot as minipod sees it: every process gone and /run wiped,
    /// while /var/lib (volumes, writable layers), logs, cgroups and IPAM leases
    /// remain. The next command reports no pod and removes the rest.
    @Test func rebootLeftoversAreCollected() throws {
        let before = HostSnapshot.take()
        defer { host.cleanup(["sidecar-demo"]) }
        try #require(host.run(["run", host.example("sidecar-pod.yaml")]).status == 0)
        let json = host.run(["get", "pod", "sidecar-demo", "-o", "json"]).stdout
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let uid = try #require((object?["metadata"] as? [String: Any])?["uid"] as? String)
        // "Power off": kill every process of the pod and its supervisor, drop the namespace pins, wipe /run.
        _ = shell(
            """
            for p in $(pgrep -f 'minipod-supervisor default_sidecar-demo'); do grep -qz 'MINIPOD_STATE=\(host.base)/run' /proc/$p/environ && kill -9 $p; done
            for f in /sys/fs/cgroup/pids/minipod-test/\(uid)/*/cgroup.procs /sys/fs/cgroup/minipod-test/\(uid)/*/cgroup.procs; do
              [ -f "$f" ] && xargs -r kill -9 < "$f"; done
            sleep 0.5
            umount -l \(host.base)/run/netns/default_sidecar-demo \(host.base)/run/pods/default_sidecar-demo/ns/* 2>/dev/null
            rm -rf \(host.base)/run/pods/default_sidecar-demo \(host.base)/run/netns/default_sidecar-demo
            """)
        #expect(FileManager.default.fileExists(atPath: "\(host.base)/root/pods/\(uid)"), "the pod's data outlives /run")
        let get = host.run(["get", "pods"])
        #expect(get.stdout.isEmpty && get.status == 0)
        #expect(host.eventually(5) { HostSnapshot.take() == before }, "left: \(HostSnapshot.take())")
        #expect(host.run(["run", host.example("sidecar-pod.yaml")]).status == 0, "the name and the address range are free again")
    }
}
