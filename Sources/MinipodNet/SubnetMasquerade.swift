import Glibc
import MinipodSystem

/// One MASQUERADE rule for the whole pod subnet, added when the first pod of the
/// network starts and removed with the last. The bridge plugin's `ipMasq` makes a
/// chain per pod instead: seven iptables runs per start and more per delete, the
/// largest part of a pod's network set-up; minipod's default conflist turns it off
/// and pods of both paths (CNI plugins and `--network netlink`) share this rule.
public struct SubnetMasquerade {
    public let subnet: IPv4Subnet
    /// Where the lock lives that orders adding the rule against removing it with the last pod.
    public let lockDirectory: String

    static let comment = "minipod pods"

    public init(subnet: IPv4Subnet, lockDirectory: String) {
        self.subnet = subnet
        self.lockDirectory = lockDirectory
    }

    /// Runs body holding the rule's lock (flock on a file beside the network's state).
    public func locked<T>(_ body: () throws -> T) rethrows -> T {
        try? FileIO.makeDirectories(lockDirectory)
        return try FileLock.withExclusiveIfPossible(lockDirectory + "/masquerade.lock", body)
    }

    public func ensure() throws {
        try locked { try add() }
    }

    private func add() throws {
        let check = try Spawn.run(CNI.iptables, ["-w", "-t", "nat", "-C"] + rule)
        if check.status == .exited(0) { return }
        let add = try Spawn.run(CNI.iptables, ["-w", "-t", "nat", "-A"] + rule)
        guard add.status == .exited(0) else {
            throw MinipodError(.network, "iptables: \(String(decoding: add.stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }

    public func remove() {
        _ = try? Spawn.run(CNI.iptables, ["-w", "-t", "nat", "-D"] + rule)
    }

    var rule: [String] {
        [
            "POSTROUTING", "-s", subnet.description, "!", "-d", subnet.description,
            "-m", "comment", "--comment", Self.comment, "-j", "MASQUERADE",
        ]
    }
}
