import Foundation
import MinipodNet
import Testing

struct PodFilesTests {
    @Test func hostsFileMapsThePodIPToItsHostnameAsKubeletWritesIt() {
        let hosts = PodFiles.hosts(podIP: "10.86.0.5", hostname: "sidecar-demo", aliases: [(ip: "1.2.3.4", hostnames: ["a", "b"])])
        #expect(hosts.hasPrefix("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n"))
        #expect(hosts.contains("\n10.86.0.5\tsidecar-demo\n"))
        #expect(hosts.hasSuffix("# Entries added by HostAliases.\n1.2.3.4\ta\tb\n"))
    }

    @Test func resolvConfDropsLoopbackResolvers() {
        let text = PodFiles.resolvConf(host: "nameserver 127.0.0.53\nnameserver 192.0.2.1\nsearch example.org\noptions edns0\n")
        #expect(text == "search example.org\nnameserver 192.0.2.1\noptions edns0\n")
    }

    @Test(arguments: [("8080:80", 8080, 80), ("80", 80, 80), (":80", 0, 80)])
    func portPairsParseLikeKubectl(text: String, local: Int, remote: Int) throws {
        #expect(try PortForwarder.PortPair(parsing: text) == .init(local: local, remote: remote))
    }

    @Test func badPortPairsAreRejected() {
        for bad in ["0:80", "8080:99999", "a:b", "1:2:3"] {
            #expect(throws: (any Error).self, "\(bad)") { try PortForwarder.PortPair(parsing: bad) }
        }
    }
}
