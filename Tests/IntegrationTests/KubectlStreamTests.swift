import Foundation
import Testing

/// exec over SPDY (kubectl 1.27–1.29) and port-forward (SPDY, raw or inside WebSocket
/// messages) through `minipod serve`, with the real kubectl of every version.
extension Integration {
    @Test func everyKubectlVersionExecsWithExitCodesAndStdinAndForwardsAPort() throws {
        defer { host.cleanup(["localhost-demo"]) }
        try withAPI { api in
            #expect(api.applyReady("localhost-demo.yaml", pod: "localhost-demo"))
            let page = api.kubectl(["exec", "localhost-demo", "-c", "nginx", "--", "curl", "-s", "localhost:80"]).stdout
            #expect(page.contains("nginx"), "\(page)")
            for version in KubeAPI.versions {
                let exit3 = api.kubectl(
                    ["exec", "localhost-demo", "-c", "nginx", "--", "sh", "-c", "echo out; echo err >&2; exit 3"], version: version)
                #expect(exit3.status == 3 && exit3.stdout == "out\n" && exit3.stderr.hasPrefix("err\n"), "kubectl \(version): \(exit3)")
                let cat = api.kubectl(["exec", "-i", "localhost-demo", "-c", "nginx", "--", "cat"], version: version, stdin: "x\n")
                #expect(cat.status == 0 && cat.stdout == "x\n", "kubectl \(version): \(cat)")
                let forward = try KubectlPortForward(api, ["pod/localhost-demo", ":80"], version: version)
                defer { forward.stop() }
                #expect(forward.get(80) == page, "kubectl \(version): \(forward.text)")
                #expect(forward.process.isRunning, "kubectl \(version): \(forward.text)")
            }
            #expect(KubeAPI.versions.count >= 1)
        }
    }

    @Test func kubectlExecOverSPDYHasATerminalAndRefusesWhatItCannotRun() throws {
        defer { host.cleanup(["localhost-demo"]) }
        try withAPI { api in
            #expect(api.applyReady("localhost-demo.yaml", pod: "localhost-demo"))
            // script(1) gives kubectl a pty; 1.28 sends the size on the resize stream.
            let env = api.kubectlEnvironment.map { "\($0.key)='\($0.value)'" }.joined(separator: " ")
            let terminal = shell(
                "env \(env) script -qec \"stty rows 31 cols 97; /usr/lib/google-cloud-sdk/bin/kubectl.1.28 exec -it localhost-demo -c nginx -- sh -c 'stty size; exit 5'\" /dev/null; echo rc=$?"
            )
            #expect(terminal.contains("31 97") && terminal.contains("rc=5"), "\(terminal)")
            let missing = api.kubectl(["exec", "localhost-demo", "-c", "nginx", "--", "nosuch"], version: "1.28")
            #expect(missing.status == 127 && missing.stderr.contains("nosuch"), "\(missing)")
            let container = api.kubectl(["exec", "localhost-demo", "-c", "nosuch", "--", "true"], version: "1.28")
            #expect(container.status != 0 && container.stderr.contains("container nosuch is not valid for pod localhost-demo"), "\(container)")
            let pod = api.kubectl(["exec", "nosuchpod", "--", "true"], version: "1.28")
            #expect(pod.stderr.contains("pods \"nosuchpod\" not found"), "\(pod)")
            let anonymous = api.kubectl(["--token=wrong", "exec", "localhost-demo", "--", "true"], version: "1.28")
            #expect(anonymous.status != 0 && anonymous.stderr.contains("Unauthorized"), "\(anonymous)")
        }
    }

    /// Two ports, 50 connections at once, and a port nothing listens on, over raw SPDY
    /// (kubectl 1.28) and SPDY inside WebSocket (the default kubectl).
    @Test func portForwardServesTwoPortsFiftyConnectionsAndReportsARefusedPort() throws {
        defer { host.cleanup(["localhost-demo"]) }
        try withAPI { api in
            #expect(api.applyReady("localhost-demo.yaml", pod: "localhost-demo"))
            let page = api.kubectl(["exec", "localhost-demo", "-c", "nginx", "--", "curl", "-s", "localhost:80"]).stdout
            let sidecar = api.kubectl(["exec", "localhost-demo", "-c", "nginx", "--", "curl", "-s", "localhost:8080"]).stdout
            #expect(!page.isEmpty && !sidecar.isEmpty)
            for version in ["1.28", nil] {
                let label = version ?? "default"
                let forward = try KubectlPortForward(api, ["localhost-demo", ":80", ":8080", ":81"], version: version)
                defer { forward.stop() }
                #expect(forward.get(80) == page, "kubectl \(label): \(forward.text)")
                #expect(forward.get(8080) == sidecar, "kubectl \(label): \(forward.text)")
                let codes = shell("seq 50 | xargs -P 50 -I{} curl -s --max-time 30 -o /dev/null -w '%{http_code}\\n' \(forward.url(80))")
                #expect(codes.split(separator: "\n").filter { $0 == "200" }.count == 50, "kubectl \(label): \(codes) \(forward.text)")
                let refused = shell("curl -s --max-time 10 -o /dev/null -w '%{http_code}' \(forward.url(81)); echo \" rc=$?\"")
                #expect(!refused.hasPrefix("200"), "kubectl \(label): \(refused)")
                #expect(
                    host.eventually(10) {
                        forward.text.contains("error forwarding port 81 to pod localhost-demo") && forward.text.contains("refused")
                    },
                    "kubectl \(label): \(forward.text)")
                // client-go closes the whole forward after an error ("error: lost connection to pod");
                // the server keeps its side up, so the next request (or the next forward) works.
                if !host.eventually(5, { !forward.process.isRunning }) {
                    #expect(forward.get(80) == page, "kubectl \(label) kept running, so the next request works: \(forward.text)")
                } else {
                    #expect(forward.text.contains("lost connection to pod"), "kubectl \(label): \(forward.text)")
                    let again = try KubectlPortForward(api, ["localhost-demo", ":80"], version: version)
                    defer { again.stop() }
                    #expect(again.get(80) == page, "kubectl \(label): \(again.text)")
                }
            }
        }
    }

    /// A large transfer, and clients killed in the middle of one: the server ends up with
    /// the fds it had, and no exec'd process is left in the pod.
    @Test func aGigabyteCrossesPortForwardAndKilledClientsLeaveNothingBehind() throws {
        defer { host.cleanup(["localhost-demo"]) }
        try withAPI { api in
            #expect(api.applyReady("localhost-demo.yaml", pod: "localhost-demo"))
            // Before any stream: the event loop, the handler pool and the feed, no copy threads.
            let threadsBefore = api.serverThreads
            for version in ["1.28", nil] {
                let label = version ?? "default"
                let forward = try KubectlPortForward(api, ["localhost-demo", ":9000"], version: version)
                defer { forward.stop() }
                // busybox nc sends 1 GiB to the first connection, then closes it.
                let server = try api.startKubectl(
                    ["exec", "localhost-demo", "-c", "http-server", "--", "sh", "-c", "head -c 1073741824 /dev/zero | nc -l -p 9000"],
                    output: host.base + "/nc-\(label).out")
                defer { host.stop(server) }
                usleep(1_000_000)
                let bytes = shell("timeout 120 bash -c 'cat < /dev/tcp/127.0.0.1/\(forward.localPorts[9000] ?? 0) | wc -c'")
                #expect(bytes == "1073741824\n", "kubectl \(label): \(bytes) \(forward.text)")
            }

            _ = api.kubectl(["exec", "localhost-demo", "-c", "nginx", "--", "sh", "-c", "head -c 200000000 /dev/zero > /usr/share/nginx/html/big"])
            let warm = try KubectlPortForward(api, ["localhost-demo", ":80"], version: "1.28")
            _ = warm.get(80)
            warm.stop()
            #expect(host.eventually(10) { api.serverFDs > 0 })
            usleep(500_000)
            let before = api.serverFDs
            for version in ["1.28", nil] {
                let label = version ?? "default"
                let forward = try KubectlPortForward(api, ["localhost-demo", ":80"], version: version)
                let curl = Process()
                curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
                curl.arguments = ["-s", "-o", "/dev/null", "--limit-rate", "4M", forward.url(80) + "big"]
                try curl.run()
                usleep(1_500_000)
                #expect(curl.isRunning, "kubectl \(label): the download is still going when kubectl is killed")
                forward.stop()
                host.stop(curl)
                #expect(host.eventually(15) { api.serverFDs == before }, "kubectl \(label): \(api.serverFDs) fds, \(before) before")
            }
            // exec killed while its command writes: the command goes, the fds too.
            let exec = try api.startKubectl(
                ["exec", "localhost-demo", "-c", "nginx", "--", "sh", "-c", "while :; do echo spdy-mid-stream; sleep 0.01; done"],
                output: host.base + "/yes.out", version: "1.28")
            usleep(1_500_000)
            #expect(!shell("pgrep -f 'echo spdy-mid-strea[m]'").isEmpty, "the command ran")
            host.stop(exec)
            #expect(host.eventually(15) { shell("pgrep -f 'echo spdy-mid-strea[m]'").isEmpty }, "the command went with its client")
            #expect(host.eventually(15) { api.serverFDs == before }, "\(api.serverFDs) fds, \(before) before")
            #expect(host.eventually(40) { api.serverThreads <= threadsBefore }, "\(api.serverThreads) threads, \(threadsBefore) before")
        }
    }
}

extension Integration {
    /// Bytes that are not SPDY after a granted upgrade end that connection only: the
    /// server stays up with the fds it had, and the next kubectl exec works.
    @Test func garbageAfterASPDYUpgradeEndsOnlyThatConnection() throws {
        defer { host.cleanup(["localhost-demo"]) }
        try withAPI { api in
            #expect(api.applyReady("localhost-demo.yaml", pod: "localhost-demo"))
            #expect(api.kubectl(["exec", "localhost-demo", "-c", "nginx", "--", "true"], version: "1.28").status == 0)
            let before = api.serverFDs
            let script = """
                import os, random, socket, ssl, struct
                ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
                upgraded = 0
                for i in range(100):
                    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", \(api.port))))
                    path, version = random.choice([("exec?command=cat&stdin=true&stdout=true", "v4.channel.k8s.io"), ("portforward", "portforward.k8s.io")])
                    s.sendall(("POST /api/v1/namespaces/default/pods/localhost-demo/%s HTTP/1.1\\r\\nHost: x\\r\\nAuthorization: Bearer \(api.token)\\r\\n"
                               "Connection: Upgrade\\r\\nUpgrade: SPDY/3.1\\r\\nX-Stream-Protocol-Version: %s\\r\\nContent-Length: 0\\r\\n\\r\\n" % (path, version)).encode())
                    upgraded += s.recv(4096).startswith(b"HTTP/1.1 101")
                    junk = os.urandom(random.randint(0, 300))
                    if i % 2: junk = bytes([0x80, 3, 0, random.randint(1, 9), random.randint(0, 3), 0, 0, random.randint(0, 40)]) + junk
                    if i % 3 == 0: junk = struct.pack(">IBBH", random.randint(0, 9), 1, 0, 4) + b"abcd" + junk
                    try:
                        s.sendall(junk); s.settimeout(0.3); s.recv(4096)
                    except Exception:
                        pass
                    s.close()
                print(upgraded)
                """
            let upgraded = shell("python3 - <<'EOF'\n\(script)\nEOF")
            #expect(upgraded == "100\n", "every connection was upgraded before its garbage: \(upgraded)")
            #expect(api.server?.isRunning == true)
            #expect(host.eventually(10) { api.serverFDs == before }, "\(api.serverFDs) fds, \(before) before")
            let exec = api.kubectl(["exec", "localhost-demo", "-c", "nginx", "--", "echo", "still"], version: "1.28")
            #expect(exec.status == 0 && exec.stdout == "still\n", "\(exec)")
        }
    }
}
