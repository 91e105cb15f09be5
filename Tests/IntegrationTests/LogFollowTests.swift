import Foundation
import Testing

/// Logs rotate as kubelet's (MINIPOD_LOG_MAX_SIZE, MINIPOD_LOG_MAX_FILES), `logs -f`
/// follows across rotations, and a flood of output costs the supervisor little.
extension Integration {
    @Test func logsFollowAcrossRotationsWithoutLosingOrRepeatingLines() throws {
        defer { host.cleanup(["rotating"]) }
        // 3000 lines in 60 bursts, 50 ms apart; a file holds ~300 lines, so ~10 rotations while followed.
        let path = host.manifest(
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: rotating
            spec:
              restartPolicy: Never
              containers:
                - name: app
                  image: busybox:1.36
                  command: ["sh", "-c", "sleep 1; i=0; while [ $i -lt 3000 ]; do echo line-$i; i=$((i+1)); [ $((i % 50)) = 0 ] && usleep 50000; done; echo finished"]
            """, name: "rotating")
        let environment = ["MINIPOD_LOG_MAX_SIZE": "20000", "MINIPOD_LOG_MAX_FILES": "3"]
        try #require(host.run(["run", path], extraEnvironment: environment).status == 0)
        let followed = host.run(["logs", "-f", "rotating"], timeout: 60)
        #expect(followed.status == 0, "\(followed.stderr)")
        let expected = (0..<3000).map { "line-\($0)\n" }.joined() + "finished\n"
        #expect(followed.stdout == expected, "\(followed.stdout.split(separator: "\n").count) lines; \(followed.stdout.suffix(200))")
        let files = shell("ls \(host.base)/log/pods/default_rotating_*/app/").split(separator: "\n")
        #expect(files == ["0.log", "0.log.1", "0.log.2"], "MINIPOD_LOG_MAX_FILES=3 keeps 3: \(files)")
    }

    /// A container writing 300 MB as fast as it can: logging it costs the supervisor
    /// less CPU than producing it costs the container (one timestamp, one encoding
    /// pass and one write per read of up to 1 MiB). Before, a line cost an array or
    /// two: ~4 s of supervisor CPU against the container's ~2 s here.
    @Test func aFloodOfOutputCostsTheSupervisorLessThanTheContainer() throws {
        defer { host.cleanup(["flood"]) }
        let path = host.manifest(
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: flood
            spec:
              restartPolicy: Never
              containers:
                - name: app
                  image: busybox:1.36
                  command: ["sh", "-c", "sleep 1; yes hello-minipod-log-line-of-some-length | head -c 300000000; echo; echo done"]
            """, name: "flood")
        try #require(host.run(["run", path]).status == 0)
        let supervisor = try #require(host.supervisorPID("flood"))
        func supervisorCPU() -> Double {
            let fields =
                ((try? String(contentsOfFile: "/proc/\(supervisor)/stat", encoding: .utf8)) ?? "")
                .split(separator: ")").last?.split(separator: " ") ?? []
            return fields.count > 12 ? (Double(fields[11])! + Double(fields[12])!) / Double(sysconf(Int32(_SC_CLK_TCK))) : 0
        }
        let before = supervisorCPU()
        #expect(host.eventually(120) { host.run(["get", "pod", "flood", "-o", "jsonpath={.status.phase}"]).stdout == "Succeeded" })
        let used = supervisorCPU() - before
        #expect(host.run(["logs", "flood", "--tail", "1"]).stdout == "done\n")
        // The container's own CPU time, from its cgroup (v1 cpuacct or v2 cpu.stat).
        let uid = host.run(["get", "pod", "flood", "-o", "jsonpath={.metadata.uid}"]).stdout
        let text = shell(
            "cat /sys/fs/cgroup/cpuacct/minipod-test/\(uid)/app/cpuacct.usage 2>/dev/null"
                + " || cat /sys/fs/cgroup/cpu,cpuacct/minipod-test/\(uid)/app/cpuacct.usage 2>/dev/null"
                + " || awk '/usage_usec/{print $2 * 1000}' /sys/fs/cgroup/minipod-test/\(uid)/app/cpu.stat")
        let container = try #require(Double(text.trimmingCharacters(in: .whitespacesAndNewlines))) / 1e9
        #expect(used < container, "supervisor \(used) s of CPU to log 300 MB; the container \(container) s to write it")
        print("flood: supervisor \(used) s, container \(container) s")
    }
}
