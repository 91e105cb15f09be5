import Foundation
import Testing

/// `kubectl attach`, `kubectl run -i --rm` and `kubectl cp` through `minipod serve`,
/// over WebSocket (the default kubectl) and SPDY (1.28), as learners type them.
extension Integration {
    @Test func kubectlAttachRunWithRmAndCpWorkThroughTheAPI() throws {
        defer { host.cleanup(["reader-ws", "reader-spdy", "box", "tty-box", "copies"]) }
        try withAPI { api in
            // A container reading its stdin until the first attach leaves (stdinOnce), then saying so.
            for (pod, version) in [("reader-ws", nil), ("reader-spdy", "1.28")] as [(String, String?)] {
                let manifest = host.manifest(
                    """
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: \(pod)}
                    spec:
                      restartPolicy: Never
                      containers:
                        - name: app
                          image: busybox:1.36
                          stdin: true
                          stdinOnce: true
                          command: [sh, -c, 'while read line; do echo "got $line"; done; echo bye >&2']
                    """)
                #expect(api.kubectl(["apply", "-f", manifest]).status == 0)
                #expect(api.kubectl(["wait", "--for=condition=Ready", "pod/\(pod)", "--timeout=30s"]).status == 0)
                let attach = api.kubectl(["attach", "-i", pod, "-c", "app"], version: version, stdin: "a\nb\n", timeout: 30)
                let label = version ?? "default"
                #expect(attach.stdout == "got a\ngot b\n", "kubectl \(label): \(attach)")
                #expect(attach.stderr.contains("bye"), "kubectl \(label): \(attach)")
                #expect(attach.status == 0, "kubectl \(label): \(attach)")
                #expect(host.eventually(10) { api.kubectl(["get", "pod", pod, "-o", "jsonpath={.status.phase}"]).stdout == "Succeeded" })
            }

            // kubectl run -i --rm: create, wait, attach, delete on exit.
            let run = api.kubectl(
                ["run", "box", "--image=busybox:1.36", "-i", "--rm", "--restart=Never", "--", "sh", "-c", "read x; echo \"hi $x\""],
                stdin: "there\n", timeout: 60)
            #expect(run.status == 0 && run.stdout.contains("hi there"), "\(run)")
            #expect(run.stdout.contains("pod \"box\" deleted"), "\(run)")
            #expect(host.eventually(10) { api.kubectl(["get", "pod", "box"]).stderr.contains("NotFound") })

            // kubectl run -it --rm -- sh as learners type it, in a real terminal (script(1)): the
            // window size reaches the container's pty, the shell's exit code is kubectl's, the pod goes.
            let env = api.kubectlEnvironment.map { "\($0.key)='\($0.value)'" }.joined(separator: " ")
            let typed = host.base + "/tty-box.out"
            let session = shell(
                "(sleep 4; printf 'stty size\\n'; sleep 1; printf 'exit 4\\n'; sleep 2) | env \(env) script -qec \"stty rows 31 cols 97; "
                    + "kubectl run tty-box -it --rm --restart=Never --image=busybox:1.36 -- sh\" /dev/null > \(typed); echo rc=$?; tr -d '\\r' < \(typed)"
            )
            #expect(session.contains("31 97") && session.contains("rc=4") && session.contains("pod \"tty-box\" deleted"), "\(session)")

            // kubectl cp both ways (tar through exec).
            let copies = host.busyboxPod("copies", command: ["sleep", "3600"])
            #expect(api.kubectl(["apply", "-f", copies]).status == 0)
            #expect(api.kubectl(["wait", "--for=condition=Ready", "pod/copies", "--timeout=30s"]).status == 0)
            let missing = api.kubectl(["attach", "copies", "-c", "nosuch"])
            #expect(missing.status != 0 && missing.stderr.contains("nosuch"), "\(missing)")
            let local = host.base + "/cp-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: local, withIntermediateDirectories: true)
            try "from the host\n".write(toFile: local + "/f", atomically: true, encoding: .utf8)
            let up = api.kubectl(["cp", local + "/f", "copies:/tmp/f"])
            #expect(up.status == 0, "\(up)")
            #expect(api.kubectl(["exec", "copies", "--", "cat", "/tmp/f"]).stdout == "from the host\n")
            let down = api.kubectl(["cp", "copies:/etc/hostname", local + "/h"])
            #expect(down.status == 0, "\(down)")
            #expect((try? String(contentsOfFile: local + "/h", encoding: .utf8)) == "copies\n")
        }
    }
}
