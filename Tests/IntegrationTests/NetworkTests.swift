import Foundation
import Testing

extension Integration {
    func busyboxPod(_ name: String, extra: String = "") -> String {
        host.manifest(
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: \(name)
            spec:
              containers:
                - name: web
                  image: busybox:1.36
                  command: ["sh", "-c", "echo \(name) > /tmp/index.html; exec httpd -f -p 8080 -h /tmp"]
            \(extra)
            """, name: name)
    }

    /// Two pods get different addresses on the bridge and reach each other.
    @Test func twoPodsHaveDifferentIPsAndReachEachOther() throws {
        let before = HostSnapshot.take()
        defer { host.cleanup(["net-a", "net-b"]) }
        try #require(host.run(["run", busyboxPod("net-a")]).status == 0)
        try #require(host.run(["run", busyboxPod("net-b")]).status == 0)
        let a = try #require(host.podIP("net-a"))
        let b = try #require(host.podIP("net-b"))
        #expect(a != b)
        #expect(host.run(["exec", "net-a", "--", "wget", "-qO-", "http://\(b):8080/"]).stdout == "net-b\n")
        #expect(host.run(["exec", "net-b", "--", "wget", "-qO-", "http://\(a):8080/"]).stdout == "net-a\n")
        // The uts namespace is the pod's: hostname is the pod name, /etc/hosts maps it to the pod IP.
        #expect(host.run(["exec", "net-a", "--", "hostname"]).stdout == "net-a\n")
        #expect(host.run(["exec", "net-a", "--", "cat", "/etc/hosts"]).stdout.contains("\(a)\tnet-a"))
        // Traffic leaving the host is masqueraded by one rule for the subnet, not one per pod.
        let rules = shell("iptables -t nat -S POSTROUTING")
        #expect(
            rules.components(separatedBy: "-s 10.87.0.0/24 ! -d 10.87.0.0/24 -m comment --comment \"minipod pods\" -j MASQUERADE").count == 2,
            "\(rules)")
        host.cleanup(["net-a", "net-b"])
        #expect(HostSnapshot.take() == before, "veths, leases and NAT rules go with the pods: \(HostSnapshot.take())")
    }

    /// hostPort publishes through the CNI portmap plugin; a second pod asking
    /// for the same host port is refused, naming the field, and creates nothing.
    @Test func hostPortIsPublishedAndConflictsAreRefused() throws {
        let ports = """
                  ports:
                    - containerPort: 8080
                      hostPort: 18089
            """
        defer { host.cleanup(["hp-a", "hp-b"]) }
        let yamlA = host.manifest(
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: hp-a
            spec:
              containers:
                - name: web
                  image: busybox:1.36
                  command: ["sh", "-c", "echo published > /tmp/index.html; exec httpd -f -p 8080 -h /tmp"]
            \(ports)
            """, name: "hp-a")
        try #require(host.run(["run", yamlA]).status == 0)
        let hostIP = shell("ip -4 -o addr show scope global | awk '{print $4}' | cut -d/ -f1 | head -1")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        var page = ""
        #expect(
            host.eventually(5) {
                page = shell("curl -s --max-time 2 http://\(hostIP):18089/")
                return page == "published\n"
            }, "\(page)")
        let before = HostSnapshot.take()
        let conflict = host.run([
            "run", host.manifest(try String(contentsOfFile: yamlA, encoding: .utf8).replacingOccurrences(of: "hp-a", with: "hp-b"), name: "hp-b"),
        ])
        #expect(conflict.status != 0)
        #expect(
            conflict.stderr.contains("spec.containers[0].ports[0].hostPort: host port 18089/TCP is already used by pod hp-a"), "\(conflict.stderr)")
        #expect(HostSnapshot.take() == before)
        host.cleanup(["hp-a"])
        #expect(shell("iptables -t nat -S | grep -c 18089 || true").trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }

    /// A missing CNI plugin is named, with the package that provides it, and the pod is removed.
    @Test func missingCNIPluginIsReportedWithThePackageToInstall() throws {
        let before = HostSnapshot.take()
        let conf = host.base + "/cni-missing"
        try FileManager.default.createDirectory(atPath: conf, withIntermediateDirectories: true)
        try #"{"cniVersion":"1.0.0","name":"broken","plugins":[{"type":"no-such-plugin"}]}"#
            .write(toFile: conf + "/minipod.conflist", atomically: true, encoding: .utf8)
        defer { host.cleanup(["net-a"]) }
        let result = host.run(["run", busyboxPod("net-a")], extraEnvironment: ["MINIPOD_CNI_CONF": conf])
        #expect(result.status != 0)
        #expect(result.stderr.contains("CNI plugin \"no-such-plugin\" not found"), "\(result.stderr)")
        #expect(result.stderr.contains("apt-get install containernetworking-plugins"))
        #expect(HostSnapshot.take() == before, "\(HostSnapshot.take())")
    }
}

extension Integration {
    /// hostNetwork: the pod uses the host's network and hostname; no veth, no address of its own.
    @Test func hostNetworkPodUsesTheHostsNetwork() throws {
        let before = HostSnapshot.take()
        let hostRoutes = shell(localRoutes)
        defer { host.cleanup(["on-host"]) }
        let path = host.manifest(
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: on-host
            spec:
              hostNetwork: true
              containers:
                - name: web
                  image: busybox:1.36
                  command: ["sh", "-c", "echo from-host-network > /tmp/index.html; exec httpd -f -p 127.0.0.1:18097 -h /tmp"]
            """, name: "on-host")
        try #require(host.run(["run", path]).status == 0)
        var page = ""
        #expect(
            host.eventually(5) {
                page = shell("curl -s --max-time 2 http://127.0.0.1:18097/")
                return page == "from-host-network\n"
            }, "\(page)")
        #expect(host.run(["exec", "on-host", "--", "hostname"]).stdout == shell("hostname"))
        #expect(HostSnapshot.take().links == before.links)
        #expect(shell(localRoutes) == hostRoutes, "a hostNetwork pod must leave the host's routes alone")
    }
}

/// The routes of table local that carry a congestion control (none, unless the host's admin set one).
private let localRoutes = "{ ip -4 route show table local; ip -6 route show table local; } | grep congctl"

extension Integration {
    /// On a host whose default congestion control paces (bbr), a pod's traffic that
    /// stays in the pod (localhost, its own IP) is unpaced through its local routes;
    /// on any other host, and on the host itself, the routes are as the kernel made them.
    @Test func aPodsOwnTrafficIsUnpacedOnAPacedHost() throws {
        defer { host.cleanup(["pace-a"]) }
        let hostRoutes = shell(localRoutes)
        try #require(host.run(["run", busyboxPod("pace-a")]).status == 0)
        let ip = try #require(host.podIP("pace-a"))
        let inPod = "nsenter --net=\(host.base)/run/netns/default_pace-a "
        let routes = shell(inPod + "sh -c 'ip -4 route show table local; ip -6 route show table local'")
        // The pod's netns took its default from the host's root namespace; ask it, not ours.
        let paced = shell(inPod + "sysctl -n net.ipv4.tcp_congestion_control").hasPrefix("bbr")
        let ipv6 = shell(inPod + "cat /proc/net/if_inet6").contains("00000000000000000000000000000001")
        for destination in ["local 127.0.0.0/8 ", "local 127.0.0.1 ", "local \(ip) "] + (ipv6 ? ["local ::1 "] : []) {
            let line = routes.split(separator: "\n").first { $0.hasPrefix(destination) } ?? ""
            #expect(!line.isEmpty && line.contains("congctl cubic") == paced, "\(destination) (pod netns paced: \(paced)): \(routes)")
        }
        #expect(!shell(inPod + "ip route show table main").contains("congctl"), "routes to the world keep the default")
        #expect(shell(localRoutes) == hostRoutes)
        // The pod's localhost still works, over IPv4 and IPv6.
        for url in ["http://127.0.0.1:8080/", "http://\(ip):8080/"] + (ipv6 ? ["http://[::1]:8080/"] : []) {
            var page = ""
            #expect(
                host.eventually(5) {
                    page = host.run(["exec", "pace-a", "--", "wget", "-qO-", url]).stdout
                    return page == "pace-a\n"
                },
                "\(url): \(page)")
        }
    }
}

extension Integration {
    /// `--network none`: the containers share a loopback-only namespace, no veth and no address.
    @Test func networkNoneGivesLoopbackOnly() throws {
        let before = HostSnapshot.take()
        defer { host.cleanup(["localhost-demo"]) }
        let run = host.run(["run", host.example("localhost-demo.yaml"), "--network", "none"])
        try #require(run.status == 0, "\(run.stderr)")
        #expect(host.run(["exec", "localhost-demo", "-c", "nginx", "--", "curl", "-s", "localhost:8080"]).stdout == "Hello from sidecar!\n")
        let links = host.run(["exec", "localhost-demo", "-c", "http-server", "--", "ip", "-o", "link"]).stdout
        #expect(links.contains("lo:") && !links.contains("eth0"), "\(links)")
        #expect(host.podIP("localhost-demo") == nil)
        let wide = host.run(["get", "pod", "localhost-demo", "-o", "wide", "--no-headers"]).stdout
        #expect(wide.split(separator: " ", omittingEmptySubsequences: true).dropFirst(5).first == "<none>", "\(wide)")
        #expect(HostSnapshot.take().links == before.links)
        host.cleanup(["localhost-demo"])
        #expect(HostSnapshot.take() == before)
    }
}

extension Integration {
    /// `--network netlink`: the same bridge, subnet and lease pool as the CNI
    /// network, set up without plugins: lab 2's localhost checks hold, the pod
    /// reaches a CNI pod and back, the subnet's one masquerade rule (shared with
    /// CNI pods) lives as long as a pod of the network, hostPort is refused, and
    /// delete leaves nothing.
    @Test func netlinkNetworkJoinsTheCNINetworkWithoutPlugins() throws {
        let before = HostSnapshot.take()
        defer { host.cleanup(["localhost-demo", "net-b"]) }
        let run = host.run(["run", host.example("localhost-demo.yaml"), "--network", "netlink"])
        try #require(run.status == 0, "\(run.stderr)")
        try #require(host.run(["run", busyboxPod("net-b")]).status == 0)
        let a = try #require(host.podIP("localhost-demo"))
        let b = try #require(host.podIP("net-b"))
        #expect(a.hasPrefix("10.87.0.") && a != b, "\(a) \(b)")
        #expect(host.run(["exec", "localhost-demo", "-c", "nginx", "--", "curl", "-s", "localhost:8080"]).stdout == "Hello from sidecar!\n")
        #expect(host.run(["exec", "localhost-demo", "-c", "http-server", "--", "hostname", "-i"]).stdout == "\(a)\n")
        #expect(host.run(["exec", "localhost-demo", "-c", "http-server", "--", "wget", "-qO-", "http://\(b):8080/"]).stdout == "net-b\n")
        #expect(host.run(["exec", "net-b", "--", "wget", "-qO-", "http://\(a):8080/"]).stdout == "Hello from sidecar!\n")
        // One rule for the subnet, shared by the CNI pod and the netlink pod.
        let masquerade = "-A POSTROUTING -s 10.87.0.0/24 ! -d 10.87.0.0/24 -m comment --comment \"minipod pods\" -j MASQUERADE"
        let rules = shell("iptables -t nat -S POSTROUTING")
        #expect(rules.components(separatedBy: masquerade).count == 2, "\(rules)")
        #expect(!rules.contains("id: \""), "the bridge plugin must not add a chain per pod: \(rules)")
        let hostPort = "      ports:\n        - containerPort: 8080\n          hostPort: 18090"
        let refused = host.run(["run", busyboxPod("net-c", extra: hostPort), "--network", "netlink"])
        #expect(refused.status == 1)
        #expect(
            refused.stderr.contains("spec.containers[0].ports: hostPort needs the CNI portmap plugin; it cannot be used with --network netlink"),
            "\(refused.stderr)")
        host.cleanup(["localhost-demo"])
        #expect(shell("iptables -t nat -S POSTROUTING").contains(masquerade), "net-b still needs the rule")
        host.cleanup(["net-b"])
        // The test network's rule only: a user's own minipod pods keep theirs (10.86.0.0/16).
        #expect(!shell("iptables -t nat -S POSTROUTING").contains(masquerade))
        #expect(HostSnapshot.take() == before, "veth, lease and masquerade rule go with the pod: \(HostSnapshot.take())")
    }
}
