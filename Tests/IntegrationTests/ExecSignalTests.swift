import Foundation
import Testing

/// Signals sent to an exec reach its command, as with `runc exec`: whether they go to
/// minipod-init (the process in the container that waits for the command) or to the
/// `minipod exec` that started it. The command ends, and the exit code says how.
extension Integration {
    @Test func signalsToAnExecReachItsCommand() throws {
        defer { host.cleanup(["exec-signals"]) }
        let path = host.busyboxPod("exec-signals", command: ["sleep", "3600"])
        try #require(host.run(["run", path]).status == 0)
        for (target, signal, expected) in [("init", SIGTERM, 143), ("cli", SIGINT, 130), ("cli", SIGTERM, 143)] {
            let marker = "\(4000 + expected + (target == "cli" ? 1 : 0) + Int(signal))"
            let (exec, _) = try host.start(["exec", "exec-signals", "--", "sleep", marker])
            defer { host.stop(exec) }
            var sleeper = ""
            #expect(
                host.eventually(5) {
                    sleeper = shell("pgrep -x -f 'sleep \(marker)'").trimmingCharacters(in: .whitespacesAndNewlines)
                    return !sleeper.isEmpty
                })
            let initPid = shell("ps -o ppid= -p \(sleeper)").trimmingCharacters(in: .whitespaces.union(.newlines))
            #expect(shell("cat /proc/\(initPid)/comm") == "minipod-init\n", "the command's parent is minipod-init")
            kill(target == "init" ? pid_t(initPid) ?? 0 : exec.processIdentifier, signal)
            exec.waitUntilExit()
            #expect(exec.terminationStatus == Int32(expected), "\(target) \(signal)")
            #expect(shell("pgrep -x -f 'sleep \(marker)'").isEmpty, "the command ended (\(target) \(signal))")
        }
    }
}
