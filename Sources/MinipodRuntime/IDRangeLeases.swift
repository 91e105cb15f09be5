import Glibc
import MinipodSystem

/// Which pod holds which block of host IDs: a file per block named by its base
/// and holding the pod's uid, made with O_EXCL under a lock (as host-local's IP
/// leases), so a lease outlives a crashed CLI or supervisor and is released by
/// the pod's uid when the pod is torn down or collected.
public struct IDRangeLeases {
    public let directory: String
    public let pool: IDRangePool

    public init(directory: String, pool: IDRangePool = .default) {
        self.directory = directory
        self.pool = pool
    }

    /// The pod's block: the one it already holds (a retry, a new supervisor), else the lowest free one.
    public func allocate(owner: String) throws -> IDRange {
        try locked {
            let held = leases()
            if let mine = held.first(where: { $0.value == owner }) { return mine.key }
            guard let range = pool.firstFree(taken: Set(held.keys.map(\.base))) else {
                throw MinipodError(
                    .system, "spec.hostUsers: all \(pool.count) ranges of \(IDRangePool.idsPerPod) host IDs are taken (leases in \(directory))",
                    field: "spec.hostUsers")
            }
            let path = directory + "/\(range.base)"
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd < 0 { throw MinipodError.sys("create ID range lease \(path)") }
            let written = FileIO.writeAll(fd, owner)
            close(fd)
            guard written else {
                unlink(path)
                throw MinipodError.sys("write ID range lease \(path)")
            }
            return range
        }
    }

    /// Removes the pod's lease; nothing to do is not an error.
    public func release(owner: String) throws {
        try locked {
            for (range, holder) in leases() where holder == owner { unlink(directory + "/\(range.base)") }
        }
    }

    /// Every lease of the pool's blocks and its holder (files of other names are not leases).
    public func leases() -> [IDRange: String] {
        var result: [IDRange: String] = [:]
        for name in (try? FileIO.listDirectory(directory)) ?? [] {
            guard let base = UInt32(name), pool.block(ofBase: base) != nil,
                let owner = try? FileIO.readString(directory + "/" + name)
            else { continue }
            result[IDRange(base: base)] = owner
        }
        return result
    }

    private func locked<T>(_ body: () throws -> T) throws -> T {
        try FileIO.makeDirectories(directory)
        return try FileLock.withExclusive(directory + "/lock", flags: O_RDONLY | O_CREAT, body)
    }
}
