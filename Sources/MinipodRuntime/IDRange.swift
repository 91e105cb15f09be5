/// A pod's own block of host IDs: in its user namespace, IDs 0..<size are host IDs
/// base..<base+size (`hostUsers: false`; the same block for uids and gids, as kubelet).
public struct IDRange: Codable, Equatable, Hashable, Sendable {
    public var base: UInt32
    public var size: UInt32

    public init(base: UInt32, size: UInt32 = IDRangePool.idsPerPod) {
        self.base = base
        self.size = size
    }

    /// The line of /proc/<pid>/uid_map (and gid_map) that maps the block.
    public var mapLine: String { "0 \(base) \(size)\n" }
    /// The host ID of an ID inside the namespace, nil for one the block does not map.
    public func hostID(of id: UInt32) -> UInt32? { id < size ? base + id : nil }
}

/// Which blocks of host IDs pods may get, and which one a new pod gets (pure).
///
/// 65536 IDs per pod, as Kubernetes gives (every 16-bit ID an image may use). The
/// default blocks lie in 0x70000000–0x7FFDFFFF, which systemd's UID table
/// (docs/UIDS-GIDS.md) leaves unused: above the container ranges that
/// `systemd-nspawn --private-users=pick` and the usual /etc/subuid entries take,
/// below the foreign range 0x7FFE0000 and the IDs ≥ 2^31 that tools treating
/// uid_t as signed get wrong. 4094 pods can hold a block at once.
public struct IDRangePool: Equatable, Sendable {
    public static let idsPerPod: UInt32 = 65536
    public static let `default` = IDRangePool(first: 0x7000_0000, count: 4094)

    /// Base of the first block (a multiple of idsPerPod), and how many blocks follow it.
    public let first: UInt32
    public let count: Int

    public init(first: UInt32, count: Int) {
        self.first = first
        self.count = count
    }

    public func range(_ block: Int) -> IDRange { IDRange(base: first + UInt32(block) * Self.idsPerPod) }

    /// The block a lease names, nil for a base outside the pool or off its grid.
    public func block(ofBase base: UInt32) -> Int? {
        guard base >= first, (base - first) % Self.idsPerPod == 0 else { return nil }
        let block = Int((base - first) / Self.idsPerPod)
        return block < count ? block : nil
    }

    /// The lowest block no pod holds: a pod's IDs are disjoint from every other's, and
    /// a freed block is taken again first, so the IDs in use stay few and predictable.
    public func firstFree(taken: Set<UInt32>) -> IDRange? {
        (0..<count).lazy.map(range).first { !taken.contains($0.base) }
    }
}
