import Foundation
import Testing

/// The real kubectl against `minipod serve`: the tutorial's kubectl steps (exec and
/// port-forward come with the streams), errors as a cluster prints them, and the
/// server's own promises (credentials, watches, pods outliving it).
extension Integration {
    func withAPI(_ body: (KubeAPI) throws -> Void) throws {
        let api = KubeAPI(host: host)
        try api.start()
        defer { api.stop() }
        try body(api)
    }

    @Test func theTutorialsKubectlStepsRunAgainstMinipod() throws {
        let pods = ["sidecar-demo", "localhost-demo", "content-sync", "init-sidecar-demo"]
        defer { host.cleanup(pods) }
        try withAPI { api in
            for lab in ["sidecar-pod.yaml", "localhost-demo.yaml", "content-sync.yaml", "init-sidecar.yaml"] {
                let apply = api.kubectl(["apply", "-f", host.example(lab)])
                #expect(apply.status == 0 && apply.stdout.hasSuffix(" created\n"), "\(lab): \(apply.stdout) \(apply.stderr)")
            }
            for pod in pods {
                let wait = api.kubectl(["wait", "--for=condition=Ready", "pod/\(pod)", "--timeout=60s"])
                #expect(wait.status == 0 && wait.stdout == "pod/\(pod) condition met\n", "\(wait.stdout) \(wait.stderr)")
            }
            let get = api.kubectl(["get", "pods"])
            #expect(get.stdout.hasPrefix("NAME                READY   STATUS    RESTARTS   AGE\n"), "\(get.stdout)")
            for pod in pods { #expect(get.stdout.contains(pod) && !get.stdout.contains("Pending"), "\(get.stdout)") }
            let wide = api.kubectl(["get", "pod", "sidecar-demo", "-o", "wide"])
            #expect(wide.stdout.contains("IP") && wide.stdout.contains("NOMINATED NODE") && wide.stdout.contains("READINESS GATES"), "\(wide.stdout)")
            #expect(wide.stdout.contains(host.podIP("sidecar-demo") ?? "no IP"), "\(wide.stdout)")
            let ip = api.kubectl(["get", "pod", "sidecar-demo", "-o", "jsonpath={.status.podIP}"]).stdout
            #expect(ip == host.podIP("sidecar-demo"))
            let yaml = api.kubectl(["get", "pod", "sidecar-demo", "-o", "yaml"]).stdout
            #expect(yaml.contains("kind: Pod") && yaml.contains("phase: Running"), "\(yaml)")

            // Lab 4: the init container wrote the page; its log says so.
            let initLog = api.kubectl(["logs", "init-sidecar-demo", "-c", "init-content"])
            #expect(initLog.status == 0 && !initLog.stdout.isEmpty, "\(initLog.stdout) \(initLog.stderr)")
            // Lab 3: the updater keeps writing; --tail, --timestamps.
            #expect(host.eventually(15) { !api.kubectl(["logs", "content-sync", "-c", "content-updater", "--tail=1"]).stdout.isEmpty })
            let stamped = api.kubectl(["logs", "content-sync", "-c", "content-updater", "--tail=1", "--timestamps"]).stdout
            #expect(stamped.split(separator: "\n").count == 1 && stamped.hasPrefix("20"), "\(stamped)")
            let described = api.kubectl(["describe", "pod", "sidecar-demo"]).stdout
            for word in ["Events:", "Scheduled", "Pulled", "Created", "Started", "Port:", "80/TCP", "Node:"] {
                #expect(described.contains(word), "describe lacks \(word): \(described)")
            }
            let events = api.kubectl(["get", "events"]).stdout
            #expect(events.contains("pod/sidecar-demo") && events.contains("Started"), "\(events)")

            let delete = api.kubectl(["delete", "pod"] + pods + ["--grace-period=1"], timeout: 90)
            #expect(delete.status == 0, "\(delete.stderr)")
            for pod in pods { #expect(delete.stdout.contains("pod \"\(pod)\" deleted"), "\(delete.stdout)") }
            #expect(api.kubectl(["get", "pods"]).stderr == "No resources found in default namespace.\n")
            #expect(host.run(["get", "pods"]).stderr.contains("No resources found"))
        }
    }

    @Test func getWatchShowsEveryTransitionOfTheInitLab() throws {
        defer { host.cleanup(["init-sidecar-demo"]) }
        try withAPI { api in
            let output = host.base + "/watch.out"
            let watch = try api.startKubectl(["get", "pods", "-w"], output: output)
            defer { host.stop(watch) }
            usleep(500_000)
            #expect(api.kubectl(["apply", "-f", host.example("init-sidecar.yaml")]).status == 0)
            #expect(host.eventually(30) { shell("cat \(output)").contains("Running") }, "\(shell("cat \(output)"))")
            let lines = shell("cat \(output)").split(separator: "\n").map(String.init)
            let statuses = lines.dropFirst().compactMap {
                $0.split(separator: " ", omittingEmptySubsequences: true).dropFirst(2).first.map(String.init)
            }
            let order = ["Init:0/1", "PodInitializing", "Running"].map { status in statuses.firstIndex(of: status) ?? -1 }
            #expect(order.allSatisfy { $0 >= 0 } && order == order.sorted(), "\(lines)")
            #expect(lines.first?.hasPrefix("NAME") == true, "\(lines)")
        }
    }

    @Test func applyTwiceLabelAndUpdatesAsTheAPIServerAllows() throws {
        defer { host.cleanup(["sidecar-demo"]) }
        try withAPI { api in
            #expect(api.kubectl(["apply", "-f", host.example("sidecar-pod.yaml")]).stdout == "pod/sidecar-demo created\n")
            #expect(api.kubectl(["apply", "-f", host.example("sidecar-pod.yaml")]).stdout == "pod/sidecar-demo unchanged\n")
            let changed = shell("sed 's/app: sidecar-demo/app: sidecar-demo\\n    tier: web/' \(host.example("sidecar-pod.yaml"))")
            let configured = api.kubectl(["apply", "-f", "-"], stdin: changed)
            #expect(configured.stdout == "pod/sidecar-demo configured\n", "\(configured.stdout) \(configured.stderr)")
            #expect(api.kubectl(["get", "pods", "-l", "tier=web", "-o", "name"]).stdout == "pod/sidecar-demo\n")
            #expect(api.kubectl(["label", "pod", "sidecar-demo", "lab=one"]).stdout == "pod/sidecar-demo labeled\n")
            #expect(api.kubectl(["annotate", "pod", "sidecar-demo", "note=hi"]).stdout == "pod/sidecar-demo annotated\n")
            #expect(
                host.run(["get", "pod", "sidecar-demo", "-o", "jsonpath={.metadata.labels.lab}"]).stdout == "one", "the CLI sees the API's change")
            let forbidden = api.kubectl(["apply", "-f", "-"], stdin: shell("sed 's/tail -f/tail -F/' \(host.example("sidecar-pod.yaml"))"))
            #expect(forbidden.status != 0 && forbidden.stderr.contains("The Pod \"sidecar-demo\" is invalid: spec: Forbidden"), "\(forbidden.stderr)")
            let patched = api.kubectl([
                "patch", "pod", "sidecar-demo", "--type=json", "-p", #"[{"op":"add","path":"/metadata/labels/patched","value":"yes"}]"#,
            ])
            #expect(patched.stdout == "pod/sidecar-demo patched\n", "\(patched.stdout) \(patched.stderr)")
        }
    }

    @Test func errorsReadAsAgainstACluster() throws {
        defer { host.cleanup(["typo", "bad-volume"]) }
        try withAPI { api in
            let missing = api.kubectl(["get", "pod", "nosuch"])
            #expect(missing.status == 1 && missing.stderr == "Error from server (NotFound): pods \"nosuch\" not found\n", "\(missing.stderr)")
            let typo = api.kubectl(
                ["apply", "-f", "-"],
                stdin: """
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: typo}
                    spec:
                      containers: [{name: c, image: "busybox:1.36", comand: [sleep]}]
                    """)
            #expect(typo.status != 0 && typo.stderr.contains(#"strict decoding error: unknown field "spec.containers[0].comand""#), "\(typo.stderr)")
            let invalid = api.kubectl(
                ["apply", "-f", "-"],
                stdin: """
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: bad-volume}
                    spec:
                      containers: [{name: c, image: "busybox:1.36", volumeMounts: [{name: nosuch, mountPath: /x}]}]
                    """)
            #expect(
                invalid.status != 0 && invalid.stderr.contains(#"The Pod "bad-volume" is invalid: spec.containers[0].volumeMounts[0].name"#),
                "\(invalid.stderr)")
            let deploymentYAML = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec: {selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c, image: "busybox:1.36"}]}}}
                """
            // As on a cluster without the kind (a CRD not installed).
            for flags in [[], ["--validate=false"]] {
                let deployment = api.kubectl(["apply"] + flags + ["-f", "-"], stdin: deploymentYAML)
                #expect(
                    deployment.status != 0 && deployment.stderr.contains("no matches for kind \"Deployment\" in version \"apps/v1\""),
                    "\(deployment.stderr)")
            }
            #expect(api.kubectl(["get", "pods"]).stderr == "No resources found in default namespace.\n", "nothing was created")
            let twice = api.kubectl(["create", "namespace", "kube-system"])
            #expect(twice.stderr == "Error from server (AlreadyExists): namespaces \"kube-system\" already exists\n", "\(twice.stderr)")
        }
    }

    @Test func nobodyGetsInWithoutTheKubeconfigsCredentials() throws {
        defer { host.cleanup(["sidecar-demo"]) }
        try withAPI { api in
            let url = "https://127.0.0.1:\(api.port)/api/v1/namespaces/default/pods"
            let anonymous = shell("curl -sk -o /dev/null -w '%{http_code}' \(url)")
            #expect(anonymous == "401")
            let wrong = shell(
                "curl -sk -H 'Authorization: Bearer \(String(repeating: "0", count: 64))' -X POST -H 'Content-Type: application/json' -d @\(host.example("sidecar-pod.yaml")) -w '%{http_code}' -o /dev/null \(url)"
            )
            #expect(wrong == "401")
            #expect(api.kubectl(["--token=wrong", "get", "pods"]).stderr.contains("Unauthorized"))
            #expect(host.run(["get", "pods"]).stderr.contains("No resources found"), "the refused create made nothing")
            let right = shell(
                "curl -s --cacert \(host.base)/pki/ca.crt -H 'Authorization: Bearer \(api.token)' -o /dev/null -w '%{http_code}' \(url)")
            #expect(right == "200", "the CA in the kubeconfig verifies the server's certificate")
            #expect(shell("stat -c %a \(host.base)/pki/server.key \(host.base)/pki/admin.token \(api.kubeconfig)") == "600\n600\n600\n")
            #expect(shell("curl -s --max-time 2 http://127.0.0.1:\(api.port)/readyz -o /dev/null -w '%{http_code}'") != "200", "no plain HTTP")
        }
    }

    @Test func podsOutliveAKilledServerAndBothFrontEndsSeeTheSamePods() throws {
        defer { host.cleanup(["sidecar-demo", "localhost-demo"]) }
        let api = KubeAPI(host: host)
        try api.start()
        #expect(api.kubectl(["apply", "-f", host.example("sidecar-pod.yaml")]).status == 0)
        #expect(host.run(["run", host.example("localhost-demo.yaml")]).status == 0)
        #expect(api.kubectl(["wait", "--for=condition=Ready", "pod/sidecar-demo", "--timeout=30s"]).status == 0)
        #expect(host.run(["get", "pod", "sidecar-demo"]).stdout.contains("Running"), "the CLI sees the API's pod")
        #expect(api.kubectl(["get", "pod", "localhost-demo"]).stdout.contains("Running"), "the API sees the CLI's pod")
        api.kill()
        usleep(300_000)
        #expect(host.run(["get", "pods"]).stdout.components(separatedBy: "Running").count == 3, "pods run on without the server")
        try api.start()
        defer { api.stop() }
        let listed = api.kubectl(["get", "pods"]).stdout
        #expect(listed.contains("sidecar-demo") && listed.contains("localhost-demo"), "\(listed)")
        #expect(api.kubectl(["delete", "pod", "sidecar-demo", "localhost-demo", "--grace-period=1"]).status == 0)
    }

    @Test func twentyConcurrentWatchesEachSeeAChange() throws {
        defer { host.cleanup(["sidecar-demo"]) }
        try withAPI { api in
            let watches = try (0..<20).map { i in try api.startKubectl(["get", "pods", "-w"], output: host.base + "/watch-\(i).out") }
            defer { watches.forEach { host.stop($0) } }
            usleep(1_500_000)
            #expect(api.kubectl(["apply", "-f", host.example("sidecar-pod.yaml")]).status == 0)
            let allSaw = host.eventually(30) {
                (0..<20).allSatisfy { shell("cat \(host.base)/watch-\($0).out").contains("Running") }
            }
            #expect(allSaw, "\((0..<20).map { shell("cat \(host.base)/watch-\($0).out") })")
        }
    }

    @Test func namespacesAndTheNode() throws {
        defer { host.run(["delete", "pod", "sidecar-demo", "-n", "team", "--grace-period=0", "--ignore-not-found"]) }
        try withAPI { api in
            let nodes = api.kubectl(["get", "nodes"]).stdout
            #expect(nodes.hasPrefix("NAME") && nodes.contains(" Ready ") && nodes.contains("minipod"), "\(nodes)")
            #expect(api.kubectl(["describe", "node"]).stdout.contains("KubeletReady"))
            #expect(api.kubectl(["create", "namespace", "team"]).stdout == "namespace/team created\n")
            #expect(api.kubectl(["get", "ns"]).stdout.contains("team"))
            #expect(api.kubectl(["apply", "-n", "team", "-f", host.example("sidecar-pod.yaml")]).status == 0)
            let missingNamespace = api.kubectl(["apply", "-n", "nosuch", "-f", host.example("sidecar-pod.yaml")])
            #expect(missingNamespace.stderr.contains("namespaces \"nosuch\" not found"), "\(missingNamespace.stderr)")
            #expect(api.kubectl(["get", "pods", "-A"]).stdout.contains("team"))
            #expect(api.kubectl(["delete", "namespace", "team", "--grace-period=1"], timeout: 90).status == 0)
            #expect(
                host.eventually(40) { host.run(["get", "pods", "-n", "team"]).stderr.contains("No resources found") },
                "the namespace's pods went with it")
            #expect(api.kubectl(["delete", "namespace", "default"]).stderr.contains("Forbidden"))
        }
    }

    /// Every kubectl on the machine (1.27 to 1.33) lists, applies and deletes.
    @Test func everyKubectlVersionDrivesIt() throws {
        defer { host.cleanup(["localhost-demo"]) }
        try withAPI { api in
            for version in KubeAPI.versions {
                let apply = api.kubectl(["apply", "-f", host.example("localhost-demo.yaml")], version: version)
                #expect(apply.status == 0, "kubectl \(version): \(apply.stderr)")
                let get = api.kubectl(["get", "pods"], version: version)
                #expect(get.stdout.contains("localhost-demo"), "kubectl \(version): \(get.stdout) \(get.stderr)")
                let delete = api.kubectl(["delete", "pod", "localhost-demo", "--grace-period=0", "--force"], version: version)
                #expect(delete.status == 0, "kubectl \(version): \(delete.stderr)")
                #expect(host.eventually(20) { api.kubectl(["get", "pod", "localhost-demo"], version: version).status != 0 })
            }
            #expect(KubeAPI.versions.count >= 1)
        }
    }
}

/// `kubectl exec` through the API (WebSocket for kubectl 1.30 and later, SPDY before).
extension Integration {
    @Test func kubectlExecRunsTheTutorialsStepsWithExitCodesStdinAndATerminal() throws {
        defer { host.cleanup(["localhost-demo"]) }
        try withAPI { api in
            #expect(api.kubectl(["apply", "-f", host.example("localhost-demo.yaml")]).status == 0)
            #expect(api.kubectl(["wait", "--for=condition=Ready", "pod/localhost-demo", "--timeout=60s"]).status == 0)
            let sidecar = api.kubectl(["exec", "localhost-demo", "-c", "nginx", "--", "curl", "-s", "localhost:8080"])
            #expect(sidecar.status == 0 && sidecar.stdout == "Hello from sidecar!\n", "\(sidecar.stdout) \(sidecar.stderr)")
            let ip = api.kubectl(["exec", "localhost-demo", "-c", "http-server", "--", "hostname", "-i"])
            #expect(ip.stdout == (host.podIP("localhost-demo") ?? "?") + "\n", "\(ip.stdout) \(ip.stderr)")
            let exit3 = api.kubectl(["exec", "localhost-demo", "-c", "nginx", "--", "sh", "-c", "echo out; echo err >&2; exit 3"])
            #expect(exit3.status == 3 && exit3.stdout == "out\n" && exit3.stderr.hasPrefix("err\n"), "\(exit3)")
            let cat = api.kubectl(["exec", "-i", "localhost-demo", "-c", "nginx", "--", "cat"], stdin: "x\n")
            #expect(cat.status == 0 && cat.stdout == "x\n", "\(cat)")
            let missing = api.kubectl(["exec", "localhost-demo", "-c", "nginx", "--", "nosuch"])
            #expect(missing.status == 127 && missing.stderr.contains("nosuch"), "\(missing)")
            // A real terminal: script(1) gives kubectl a pty whose size it sends on channel 4.
            let env = api.kubectlEnvironment.map { "\($0.key)='\($0.value)'" }.joined(separator: " ")
            let terminal = shell(
                "env \(env) script -qec \"stty rows 31 cols 97; kubectl exec -it localhost-demo -c nginx -- sh -c 'stty size; exit 5'\" /dev/null; echo rc=$?"
            )
            #expect(terminal.contains("31 97") && terminal.contains("rc=5"), "\(terminal)")
            // 1.30 and later over WebSocket, 1.27 to 1.29 over SPDY.
            for version in KubeAPI.versions {
                let run = api.kubectl(["exec", "localhost-demo", "-c", "nginx", "--", "sh", "-c", "exit 7"], version: version)
                #expect(run.status == 7, "kubectl \(version): \(run.stderr)")
            }
            #expect(api.kubectl(["exec", "nosuchpod", "--", "true"]).stderr.contains("pods \"nosuchpod\" not found"))
        }
    }
}
