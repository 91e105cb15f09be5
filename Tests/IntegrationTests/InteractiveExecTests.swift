import Foundation
import Testing

extension Integration {
    /// `exec -it ... -- /bin/sh` through a real pty (pexpect drives it): prompt,
    /// arithmetic, window size and its change, exit code, and the local
    /// terminal's settings restored afterwards.
    @Test func interactiveShellThroughATerminal() throws {
        defer { host.cleanup(["sidecar-demo"]) }
        try #require(host.run(["run", host.example("sidecar-pod.yaml")]).status == 0)
        let output = try throughTerminal(
            "exec -it sidecar-demo -c nginx -- /bin/sh",
            steps: """
                child.expect("# ")
                child.sendline("echo $((6*7))")
                child.expect("\\r\\n42\\r\\n")
                child.sendline("stty size")
                child.expect("30 100")
                child.setwinsize(40, 120)
                time.sleep(0.3)
                child.sendline("stty size")
                child.expect("40 120")
                child.sendline("exit 3")
                """)
        #expect(output.contains("code 3 restored True"), "\(output)")
    }

    /// Runs `minipod ARGS` on a terminal that pexpect drives (30 rows, 100 columns);
    /// `steps` is Python using `child`. The terminal's settings are read with
    /// `stty -g` before and after; returns "code N restored True|False" and the rest.
    func throughTerminal(_ args: String, steps: String) throws -> String {
        let env = host.environment.filter { $0.key.hasPrefix("MINIPOD_") }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let script = """
            import pexpect, sys, time
            cmd = "sh -c 'stty -g; env \(env) \(host.binary) \(args); echo code=$?; stty -g'"
            child = pexpect.spawn("/bin/sh", ["-c", cmd], dimensions=(30, 100), timeout=15, encoding="utf-8")
            child.expect(r"([0-9a-f:]+)\\r\\n")
            before = child.match.group(1)
            \(steps)
            child.expect(r"code=(\\d+)")
            code = child.match.group(1)
            child.expect(r"([0-9a-f:]+)\\r\\n")
            after = child.match.group(1)
            child.expect(pexpect.EOF)
            print("code", code, "restored", before == after)
            """
        let path = host.base + "/pty-\(UUID().uuidString).py"
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        return shell("python3 \(path) 2>&1")
    }
}
