import CMinipod
import Foundation
import MinipodSystem

/// `--network netlink`: the pod network of the CNI conflist (same bridge, same
/// subnet, same lease pool) set up by minipod itself over rtnetlink instead of
/// by the bridge, host-local and loopback plugins: no processes started; the
/// subnet's masquerade rule is shared with the CNI pods (SubnetMasquerade).
/// hostPort needs the portmap plugin and is refused on this path.
public struct NetlinkNetwork {
    public let bridge: String
    public let subnet: IPv4Subnet
    public let ipam: HostLocalIPAM
    /// The CNI state directory: the subnet masquerade's lock lives there.
    let stateDirectory: String

    /// Reads bridge, subnet and lease directory from the CNI conflist (written on first use).
    public init(cni: CNI) throws {
        let network = try cni.bridgeNetwork()
        bridge = network.bridge
        subnet = network.subnet
        ipam = HostLocalIPAM(directory: network.leaseDirectory, subnet: subnet)
        stateDirectory = cni.stateDir
    }

    /// The host end of a pod's veth, derived from its id so clean-up finds it even after a crash.
    static func hostVethName(containerID: String) -> String {
        "veth" + String(containerID.filter(\.isHexDigit).prefix(8))
    }

    /// Creates eth0 in the pod's namespace (a veth whose host end joins the bridge),
    /// with an address from the pool and a default route. Returns the address.
    public func add(containerID: String, netns: String) throws -> String {
        let host = try Netlink(socket: mp_nl_open(), what: "host")
        defer { host.close() }
        let bridgeIndex = try ensureBridge(host)
        let address = try ipam.allocate(containerID: containerID, ifname: "eth0")
        let hostVeth = Self.hostVethName(containerID: containerID)
        do {
            let netnsFD = open(netns, O_RDONLY | O_CLOEXEC)
            if netnsFD < 0 { throw MinipodError.sys("open \(netns)") }
            defer { Glibc.close(netnsFD) }
            try host.check(mp_nl_veth_add(host.socket, hostVeth, "eth0", netnsFD), "create veth \(hostVeth)")
            try host.check(mp_nl_link_up(host.socket, try host.index(hostVeth), bridgeIndex), "attach \(hostVeth) to \(bridge)")
            let pod = try Netlink(socket: mp_nl_open_in(netnsFD), what: "pod")
            defer { pod.close() }
            let eth0 = try pod.index("eth0")
            try pod.check(withOctets(address) { mp_nl_addr_add(pod.socket, eth0, $0, Int32(subnet.prefix)) }, "address eth0")
            try pod.check(mp_nl_link_up(pod.socket, eth0, 0), "set eth0 up")
            try pod.check(withOctets(subnet.gateway) { mp_nl_default_route_add(pod.socket, $0, eth0) }, "default route")
            try SubnetMasquerade(subnet: subnet, lockDirectory: stateDirectory).ensure()
        } catch {
            del(containerID: containerID)
            throw error
        }
        return IPv4Subnet.format(address)
    }

    /// Removes the host end (its peer goes with it) and the lease; tolerant of either being gone.
    public func del(containerID: String) {
        if let host = try? Netlink(socket: mp_nl_open(), what: "host") {
            if let index = try? host.index(Self.hostVethName(containerID: containerID)) { _ = mp_nl_link_del(host.socket, index) }
            host.close()
        }
        try? ipam.release(containerID: containerID)
    }

    /// The bridge with the gateway address, up; created as the bridge plugin would if no pod made it yet.
    private func ensureBridge(_ host: Netlink) throws -> Int32 {
        if let index = try? host.index(bridge) { return index }
        let rc = mp_nl_bridge_add(host.socket, bridge)
        if rc != 0 && errno != EEXIST { throw MinipodError.sys("create bridge \(bridge)") }
        let index = try host.index(bridge)
        let added = withOctets(subnet.gateway) { mp_nl_addr_add(host.socket, index, $0, Int32(subnet.prefix)) }
        if added != 0 && errno != EEXIST { throw MinipodError.sys("address bridge \(bridge)") }
        try host.check(mp_nl_link_up(host.socket, index, 0), "set \(bridge) up")
        // isGateway in the bridge plugin turns forwarding on; so do we.
        try? FileIO.write("/proc/sys/net/ipv4/ip_forward", "1", flags: O_WRONLY)
        return index
    }

    private func withOctets<T>(_ address: UInt32, _ body: (UnsafePointer<UInt8>) -> T) -> T {
        let octets: [UInt8] = [UInt8(address >> 24), UInt8((address >> 16) & 0xff), UInt8((address >> 8) & 0xff), UInt8(address & 0xff)]
        return octets.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}

/// A NETLINK_ROUTE socket of one network namespace, with errors that say where.
struct Netlink {
    let socket: Int32
    let what: String

    init(socket: Int32, what: String) throws {
        if socket < 0 { throw MinipodError.sys("netlink socket (\(what) namespace)") }
        self.socket = socket
        self.what = what
    }

    func index(_ name: String) throws -> Int32 {
        let index = mp_nl_link_index(socket, name)
        if index <= 0 { throw MinipodError.sys("find link \(name) (\(what) namespace)") }
        return index
    }

    func check(_ rc: Int32, _ action: String) throws {
        if rc != 0 { throw MinipodError.sys("netlink: \(action)") }
    }

    func close() { Glibc.close(socket) }
}
