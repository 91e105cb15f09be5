import Foundation
import Testing

/// `minipod oci pause` / `resume` (what containerd's `ctr task pause` calls):
/// the container's processes stop making progress, state says paused, exec is
/// refused, and delete --force still removes a paused container.
extension Integration {
    @Test func ociPauseFreezesTheContainerAndResumeThawsIt() throws {
        let id = "pause1"
        // Each turn of the loop forks a new `sleep`: the cgroup's process list changes while it runs.
        let bundle = try busyboxBundle(id, args: ["sh", "-c", "while true; do sleep 0.02; done"])
        defer { oci(["delete", "--force", id]) }
        #expect(oci(["create", "--bundle", bundle, id]).status == 0)
        #expect(oci(["start", id]).status == 0)
        let procs = ociCgroupFile(id, v1: "freezer", "cgroup.procs", v2: "cgroup.procs")
        func changes(within seconds: Double) -> Bool {
            let first = readCgroupFile(procs)
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if readCgroupFile(procs) != first { return true }
                usleep(10_000)
            }
            return false
        }
        #expect(changes(within: 3), "the loop runs")

        let paused = oci(["pause", id])
        #expect(paused.status == 0, "\(paused.stderr)")
        #expect(ociState(id)?["status"] as? String == "paused")
        #expect(!changes(within: 0.5), "no new process while paused")
        let exec = oci(["exec", id, "true"])
        #expect(exec.status == 1 && exec.stderr.contains("cannot exec in a paused container"), "\(exec)")
        #expect(oci(["pause", id]).stderr.contains("is not running"))

        #expect(oci(["resume", id]).status == 0)
        #expect(ociState(id)?["status"] as? String == "running")
        #expect(changes(within: 3), "the loop goes on after resume")

        // A paused container is killed and removed by delete --force (its tasks are thawed to die).
        #expect(oci(["pause", id]).status == 0)
        let pid = try #require(ociState(id)?["pid"] as? Int)
        let deleted = oci(["delete", "--force", id])
        #expect(deleted.status == 0, "\(deleted.stderr)")
        expectNothingLeft(id, pid: Int32(pid))
    }
}
