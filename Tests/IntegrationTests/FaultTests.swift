import Foundation
import Testing

extension Integration {
    /// A container that tries to start 10,000 processes gets podman's default
    /// limit of 2048: its forks fail, the host keeps working, delete cleans up.
    @Test func forkBombIsHeldByThePidsLimit() throws {
        let before = HostSnapshot.take()
        defer { host.cleanup(["fork-bomb"]) }
        let path = host.manifest(
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: fork-bomb
            spec:
              restartPolicy: Never
              containers:
                - name: bomb
                  image: busybox:1.36
                  # The inner shell dies at its first failed fork (ash does); the outer one outlives it with no fork of its own.
                  command: ["sh", "-c", "sh -c 'i=0; while [ $i -lt 10000 ]; do sleep 600 & i=$((i+1)); done'; echo loop-done; exec sleep 600"]
            """)
        try #require(host.run(["run", path]).status == 0)
        #expect(host.eventually(60) { host.run(["logs", "fork-bomb"]).stdout.contains("loop-done") })
        let current = shell(
            "cat /sys/fs/cgroup/pids/minipod-test/*/bomb/pids.current 2>/dev/null || cat /sys/fs/cgroup/minipod-test/*/bomb/pids.current"
        )
        .trimmingCharacters(in: .whitespacesAndNewlines)
        // 2048 at the failed fork: the outer shell, the inner one and 2046 sleeps; the inner one then exited.
        #expect(current == "2047", "pids.current: \(current)")
        #expect(host.run(["logs", "fork-bomb"]).stdout.contains("can't fork"))
        #expect(shell("sh -c 'echo host-ok'") == "host-ok\n")
        #expect(host.run(["get", "pods"]).stdout.contains("fork-bomb   1/1     Running"))
        host.cleanup(["fork-bomb"])
        #expect(HostSnapshot.take() == before, "left: \(HostSnapshot.take())")
    }

    /// 1 GiB of output as fast as a container can write it: the log rotates at
    /// its cap (10 MiB, one previous file kept), the lines that are kept are
    /// whole records, and the supervisor's memory does not grow with the traffic.
    @Test func aGibibyteOfLogsStaysWithinTheRotationCap() throws {
        defer { host.cleanup(["log-flood"]) }
        let path = host.manifest(
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: log-flood
            spec:
              containers:
                - name: flood
                  image: busybox:1.36
                  command: ["sh", "-c", "sleep 1; yes 0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789 | head -c 1073741824; echo; echo flood-done; exec sleep 600"]
            """)
        try #require(host.run(["run", path]).status == 0)
        let supervisor = try #require(host.supervisorPID("log-flood"), "no supervisor found")
        let rssBefore = residentKiB(supervisor) ?? 0
        #expect(host.eventually(180) { host.run(["logs", "log-flood", "--tail", "1"]).stdout == "flood-done\n" })
        let rssAfter = residentKiB(supervisor) ?? 0
        let dir = shell("ls -d \(host.base)/log/pods/default_log-flood_*/flood").trimmingCharacters(in: .whitespacesAndNewlines)
        let sizes = shell("stat -c '%n %s' \(dir)/*").split(separator: "\n")
        #expect(sizes.count == 5, "\(sizes)")  // 0.log and 0.log.1 to .4: kubelet's containerLogMaxFiles
        for line in sizes {
            let size = Int(line.split(separator: " ").last ?? "") ?? .max
            #expect(size <= 10 * 1024 * 1024, "\(line)")
        }
        // Whole lines up to the end, where head -c cut the last one short and "flood-done" follows.
        let sample = host.run(["logs", "log-flood", "--tail", "10"]).stdout.split(separator: "\n").dropLast(2)
        #expect(
            sample.count == 8 && sample.allSatisfy { $0 == "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789" },
            "\(sample)")
        print("supervisor RSS before the flood \(rssBefore) KiB, after 1 GiB of logs \(rssAfter) KiB")
        #expect(rssAfter - rssBefore < 4096, "supervisor RSS grew from \(rssBefore) to \(rssAfter) KiB")
    }

    /// A full log disk (a small tmpfs as the log directory): the container keeps
    /// running, the supervisor keeps going, and once space is back the log says
    /// how much output was lost.
    @Test func aFullLogDiskLosesLinesNotTheContainer() throws {
        let logs = "/tmp/minipod-diskfull-\(getpid())"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        try #require(shell("mount -t tmpfs -o size=512k tmpfs \(logs) && echo ok") == "ok\n")
        let env = ["MINIPOD_LOGS": logs]
        defer {
            host.run(["delete", "pod", "chatty", "--grace-period=0", "--ignore-not-found"], extraEnvironment: env)
            _ = shell("umount \(logs); rmdir \(logs)")
        }
        // Most of the space is taken before the pod starts; the test frees it later.
        _ = shell("head -c 400000 /dev/zero > \(logs)/filler")
        let path = host.manifest(
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: chatty
            spec:
              containers:
                - name: talk
                  image: busybox:1.36
                  command: ["sh", "-c", "i=0; while true; do i=$((i+1)); echo line $i $(head -c 200 /dev/zero | tr '\\\\0' x); sleep 0.01; done"]
            """)
        try #require(host.run(["run", path], extraEnvironment: env).status == 0)
        #expect(
            host.eventually(30) {
                shell("df --output=avail \(logs) | tail -1").trimmingCharacters(in: .whitespaces) == "0\n"
                    || shell("df --output=avail \(logs) | tail -1").hasPrefix("0")
            })
        usleep(500_000)
        #expect(host.run(["get", "pods"], extraEnvironment: env).stdout.contains("chatty   1/1     Running   0"))
        _ = shell("rm \(logs)/filler")
        var logged = ""
        #expect(
            host.eventually(10) {
                logged = host.run(["logs", "chatty"], extraEnvironment: env).stdout
                return logged.contains("bytes of this container's output were not logged: No space left on device")
            })
        // After the note, lines arrive again.
        let afterNote = logged.components(separatedBy: "No space left on device").last ?? ""
        #expect(
            host.eventually(5) {
                let now = host.run(["logs", "chatty"], extraEnvironment: env).stdout
                return (now.components(separatedBy: "No space left on device").last ?? "").contains("line ")
            }, "\(afterNote.prefix(200))")
    }

    /// `delete` while an `exec` runs in the pod: the exec'd process dies with the
    /// container, the exec returns, and nothing is left behind.
    @Test func deleteRacingExecLeavesNothing() throws {
        let before = HostSnapshot.take()
        defer { host.cleanup(["sidecar-demo"]) }
        try #require(host.run(["run", host.example("sidecar-pod.yaml")]).status == 0)
        let (exec, _) = try host.start(["exec", "sidecar-demo", "-c", "nginx", "--", "sleep", "60"])
        defer { if exec.isRunning { host.stop(exec) } }
        usleep(500_000)
        let delete = host.run(["delete", "pod", "sidecar-demo", "--grace-period=0"])
        #expect(delete.status == 0, "\(delete.stderr)")
        let deadline = Date().addingTimeInterval(10)
        while exec.isRunning && Date() < deadline { usleep(50_000) }
        #expect(!exec.isRunning, "exec still running after delete")
        #expect(exec.isRunning || exec.terminationStatus != 0)
        #expect(HostSnapshot.take() == before, "left: \(HostSnapshot.take())")
    }
}

extension Integration {
    /// A container that closes its stdout and stderr keeps running; its log keeps what came before.
    @Test func containerThatClosesItsOutputKeepsRunning() throws {
        let before = HostSnapshot.take()
        defer { host.cleanup(["quiet"]) }
        let path = host.manifest(
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: quiet
            spec:
              containers:
                - name: app
                  image: busybox:1.36
                  command: ["sh", "-c", "echo before; exec >&- 2>&-; exec sleep 600"]
            """)
        try #require(host.run(["run", path]).status == 0)
        #expect(host.eventually(5) { host.run(["logs", "quiet"]).stdout == "before\n" })
        usleep(500_000)
        #expect(host.run(["get", "pods"]).stdout.contains("quiet   1/1     Running   0"))
        #expect(host.run(["exec", "quiet", "--", "true"]).status == 0)
        host.cleanup(["quiet"])
        #expect(HostSnapshot.take() == before, "left: \(HostSnapshot.take())")
    }

    /// `logs -f` follows one run of a container and ends when it exits, as kubectl's
    /// does; the restart is counted and the previous run's log stays readable.
    @Test func logsFollowEndsWhenTheContainerRestarts() throws {
        defer { host.cleanup(["restarter"]) }
        let path = host.manifest(
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: restarter
            spec:
              containers:
                - name: app
                  image: busybox:1.36
                  command: ["sh", "-c", "echo run; sleep 1; exit 1"]
            """)
        try #require(host.run(["run", path]).status == 0)
        let (follow, output) = try host.start(["logs", "-f", "restarter"])
        defer { if follow.isRunning { host.stop(follow) } }
        let deadline = Date().addingTimeInterval(10)
        while follow.isRunning && Date() < deadline { usleep(50_000) }
        #expect(!follow.isRunning, "logs -f still running after the container exited")
        let followed = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        #expect(followed == "run\n", "\(followed)")
        #expect(host.eventually(10) { host.run(["get", "pods"]).stdout.contains("restarter   1/1     Running   1 (") })
        #expect(host.run(["logs", "restarter", "--previous"]).stdout == "run\n")
    }
}
