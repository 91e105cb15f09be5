import Foundation
import Testing

extension Integration {
    /// 100 create/exec/delete cycles of lab 1: the host afterwards is exactly
    /// as before (mounts, netns, veths, cgroups, processes, NAT rules, IPAM
    /// leases, state files), and minipod's own processes hold no stray fds.
    @Test func hundredCreateExecDeleteCyclesLeakNothing() throws {
        let before = HostSnapshot.take()
        let fdsBefore = openFileCount()
        defer { host.cleanup(["sidecar-demo"]) }
        for cycle in 1...100 {
            let run = host.run(["run", host.example("sidecar-pod.yaml")])
            try #require(run.status == 0, "cycle \(cycle): \(run.stderr)")
            let exec = host.run(["exec", "sidecar-demo", "-c", "nginx", "--", "true"])
            #expect(exec.status == 0, "cycle \(cycle): \(exec.stderr)")
            let supervisorFDs = shell("ls /proc/$(pgrep -f 'minipod-supervisor default_sidecar-demo' | head -1)/fd | wc -l")
            #expect(
                Int(supervisorFDs.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 999 < 40,
                "cycle \(cycle): supervisor holds \(supervisorFDs) fds")
            let delete = host.run(["delete", "pod", "sidecar-demo", "--grace-period=0"])
            try #require(delete.status == 0, "cycle \(cycle): \(delete.stderr)")
        }
        #expect(HostSnapshot.take() == before, "after 100 cycles: \(HostSnapshot.take())")
        #expect(openFileCount() <= fdsBefore + 5, "the test process itself leaked fds")
    }

    private func openFileCount() -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).count
    }
}
