import Foundation
import Testing

extension Integration {
    /// `attach -i`: input reaches a container started with stdin: true, its
    /// output comes back as it is written, and with stdinOnce the end of the
    /// client's input is the end of the container's (the second read sees EOF).
    @Test func attachDeliversInputAndStreamsOutput() throws {
        defer { host.cleanup(["attach-demo"]) }
        let path = host.manifest(
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: attach-demo
            spec:
              restartPolicy: Never
              containers:
                - name: reader
                  image: busybox:1.36
                  command: ["sh", "-c", "read line; echo got $line; read other || echo input closed; echo oops >&2"]
                  stdin: true
                  stdinOnce: true
            """)
        try #require(host.run(["run", path]).status == 0)
        let attach = host.run(["attach", "-i", "attach-demo"], stdin: "hello\n", timeout: 20)
        #expect(attach.status == 0, "\(attach.stderr)")
        #expect(attach.stdout == "got hello\ninput closed\n")
        #expect(attach.stderr == "oops\n")
        #expect(host.eventually(5) { host.run(["get", "pods"]).stdout.contains("Completed") })
        // stdout and stderr arrive through two pipes: their relative order in the log is not fixed.
        let logged = host.run(["logs", "attach-demo"]).stdout.split(separator: "\n")
        #expect(logged.sorted() == ["got hello", "input closed", "oops"], "\(logged)")
        #expect(logged.filter { $0 != "oops" } == ["got hello", "input closed"])
        let again = host.run(["attach", "attach-demo"])
        #expect(again.status == 1)
        #expect(again.stderr.contains("cannot attach to container reader in pod attach-demo: the container is not running"), "\(again.stderr)")
    }

    /// `attach -it` to a container with tty: true, through a real pty: the
    /// shell's prompt, arithmetic, window size and its change, `exit`, kubectl's
    /// remarks, and the local terminal's settings restored.
    @Test func interactiveAttachToAContainerWithATerminal() throws {
        defer { host.cleanup(["shell-demo"]) }
        let path = host.manifest(
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: shell-demo
            spec:
              containers:
                - name: shell
                  image: busybox:1.36
                  command: ["sh"]
                  stdin: true
                  tty: true
            """)
        try #require(host.run(["run", path]).status == 0)
        let output = try throughTerminal(
            "attach -it shell-demo",
            steps: """
                child.expect("If you don't see a command prompt, try pressing enter.")
                child.sendline("")
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
                child.expect("Session ended, resume using 'minipod attach shell-demo -c shell -i -t' command when the pod is running")
                """)
        #expect(output.contains("code 0 restored True"), "\(output)")
        // The shell's exit ended the container; restartPolicy Always brought it back.
        #expect(host.eventually(15) { host.run(["get", "pods"]).stdout.contains("1 (") })
        // What the terminal showed is in the log of that run too, as kubelet keeps it.
        #expect(host.run(["logs", "shell-demo", "--previous"]).stdout.contains("42"))
    }
}
