import Foundation
import MinipodNet
import Testing

final class HostLocalIPAMTests {
    private var made: [String] = []

    deinit { made.forEach { try? FileManager.default.removeItem(atPath: $0) } }

    func temporaryDirectory() -> String {
        let dir = NSTemporaryDirectory() + "ipam-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        made.append(dir)
        return dir
    }

    @Test func subnetsParseToNetworkGatewayAndPrefix() throws {
        let subnet = try IPv4Subnet(parsing: "10.86.7.9/16")
        #expect(subnet.description == "10.86.0.0/16")
        #expect(IPv4Subnet.format(subnet.gateway) == "10.86.0.1")
        #expect(throws: Error.self) { try IPv4Subnet(parsing: "10.86.0.0") }
        #expect(throws: Error.self) { try IPv4Subnet(parsing: "10.86.0.300/16") }
        #expect(throws: Error.self) { try IPv4Subnet(parsing: "10.86.0.0/31") }
    }

    /// Same files as the host-local plugin: "<id>\r\n<ifname>" per address, last_reserved_ip.0.
    @Test func leasesUseTheHostLocalPluginsFilesAndSkipTakenAddresses() throws {
        let dir = temporaryDirectory()
        let ipam = HostLocalIPAM(directory: dir, subnet: try IPv4Subnet(parsing: "10.87.0.0/24"))
        // An address host-local already gave to a CNI pod.
        try "cni-pod\r\neth0".write(toFile: dir + "/10.87.0.3", atomically: true, encoding: .utf8)
        #expect(IPv4Subnet.format(try ipam.allocate(containerID: "a", ifname: "eth0")) == "10.87.0.2")
        #expect(IPv4Subnet.format(try ipam.allocate(containerID: "b", ifname: "eth0")) == "10.87.0.4")
        #expect(try String(contentsOfFile: dir + "/10.87.0.4", encoding: .utf8) == "b\r\neth0")
        #expect(try String(contentsOfFile: dir + "/last_reserved_ip.0", encoding: .utf8) == "10.87.0.4")
        try ipam.release(containerID: "a")
        #expect(!FileManager.default.fileExists(atPath: dir + "/10.87.0.2"))
        #expect(FileManager.default.fileExists(atPath: dir + "/10.87.0.3"))
        // After the last reservation comes the next address, not the freed one (as host-local).
        #expect(IPv4Subnet.format(try ipam.allocate(containerID: "c", ifname: "eth0")) == "10.87.0.5")
    }

    @Test func aFullPoolSaysSoAndTheSearchWrapsAround() throws {
        let dir = temporaryDirectory()
        let ipam = HostLocalIPAM(directory: dir, subnet: try IPv4Subnet(parsing: "10.87.0.0/30"))  // one lease: .2
        #expect(IPv4Subnet.format(try ipam.allocate(containerID: "a", ifname: "eth0")) == "10.87.0.2")
        #expect(throws: Error.self) { try ipam.allocate(containerID: "b", ifname: "eth0") }
        try ipam.release(containerID: "a")
        #expect(IPv4Subnet.format(try ipam.allocate(containerID: "b", ifname: "eth0")) == "10.87.0.2")
    }
}
