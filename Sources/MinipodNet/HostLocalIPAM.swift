import Foundation
import MinipodSystem

/// An IPv4 subnet such as 10.86.0.0/16.
public struct IPv4Subnet: Equatable, Sendable {
    public let network: UInt32
    public let prefix: Int

    public init(parsing text: String) throws {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let prefix = Int(parts[1]), (8...30).contains(prefix),
            let address = IPv4Subnet.parse(String(parts[0]))
        else {
            throw MinipodError(.network, "subnet \"\(text)\" is not an IPv4 CIDR between /8 and /30")
        }
        self.prefix = prefix
        self.network = address & IPv4Subnet.mask(prefix)
    }

    static func mask(_ prefix: Int) -> UInt32 { prefix == 0 ? 0 : ~UInt32(0) << (32 - prefix) }

    static func parse(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".").compactMap { UInt8($0) }
        guard octets.count == 4, text.split(separator: ".").count == 4 else { return nil }
        return octets.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    }

    public static func format(_ address: UInt32) -> String {
        (0..<4).map { String((address >> (24 - 8 * $0)) & 0xff) }.joined(separator: ".")
    }

    /// host-local's defaults: the gateway is the first address, leases start after it.
    public var gateway: UInt32 { network + 1 }
    var firstLease: UInt32 { network + 2 }
    var lastLease: UInt32 { (network | ~IPv4Subnet.mask(prefix)) - 1 }
    public var description: String { "\(IPv4Subnet.format(network))/\(prefix)" }
}

/// Leases in the on-disk format of the CNI host-local plugin (a file per
/// address holding "<container id>\r\n<ifname>", last_reserved_ip.0, a lock
/// file taken with flock), in the same directory: pods of the built-in network
/// and of the CNI network share one pool, and host-local's DEL by container id
/// (used for crash clean-up) releases either kind.
public struct HostLocalIPAM {
    public let directory: String
    public let subnet: IPv4Subnet

    public init(directory: String, subnet: IPv4Subnet) {
        self.directory = directory
        self.subnet = subnet
    }

    public func allocate(containerID: String, ifname: String) throws -> UInt32 {
        try locked {
            let lastPath = directory + "/last_reserved_ip.0"
            let last = (try? FileIO.readString(lastPath)).flatMap { IPv4Subnet.parse($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            let count = subnet.lastLease - subnet.firstLease + 1
            var candidate = last.map { $0 >= subnet.firstLease && $0 < subnet.lastLease ? $0 + 1 : subnet.firstLease } ?? subnet.firstLease
            for _ in 0..<count {
                let path = directory + "/" + IPv4Subnet.format(candidate)
                let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
                if fd >= 0 {
                    let written = FileIO.writeAll(fd, "\(containerID)\r\n\(ifname)")
                    close(fd)
                    guard written else {
                        unlink(path)
                        throw MinipodError.sys("write lease \(path)")
                    }
                    try FileIO.write(lastPath, IPv4Subnet.format(candidate))
                    return candidate
                }
                if errno != EEXIST { throw MinipodError.sys("create lease \(path)") }
                candidate = candidate == subnet.lastLease ? subnet.firstLease : candidate + 1
            }
            throw MinipodError(.network, "no free address left in \(subnet.description) (leases in \(directory))")
        }
    }

    /// Removes every lease held by the container; nothing to do is not an error.
    public func release(containerID: String) throws {
        try locked {
            for name in (try? FileIO.listDirectory(directory)) ?? [] where IPv4Subnet.parse(name) != nil {
                let owner = (try? FileIO.readString(directory + "/" + name))?.split(separator: "\r\n", maxSplits: 1).first
                if owner.map(String.init) == containerID { unlink(directory + "/" + name) }
            }
        }
    }

    private func locked<T>(_ body: () throws -> T) throws -> T {
        try FileIO.makeDirectories(directory)
        return try FileLock.withExclusive(directory + "/lock", flags: O_RDONLY | O_CREAT, body)
    }
}
