import Foundation
import MinipodSystem

/// `--root` of the OCI CLI: one directory per container holding state.json,
/// the saved config.json and, until started, exec.fifo.
public struct OCIContainerStore: Sendable {
    public let root: String

    public init(root: String) { self.root = root }

    public func directory(_ id: String) -> String { root + "/" + id }
    public func fifoPath(_ id: String) -> String { directory(id) + "/exec.fifo" }
    public func configPath(_ id: String) -> String { directory(id) + "/config.json" }
    private func statePath(_ id: String) -> String { directory(id) + "/state.json" }

    /// runc's rule (`^[\w+-\.]+$`): an id is also a directory and a cgroup name.
    public static func validate(_ id: String) throws {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+-.")
        guard !id.isEmpty, id != ".", id != "..", id.allSatisfy({ allowed.contains($0) }) else {
            throw MinipodError(.invalidArgument, "invalid container id format: \(id)")
        }
    }

    /// Claims the id: mkdir fails if another create got there first.
    public func reserve(_ id: String) throws {
        try Self.validate(id)
        try FileIO.makeDirectories(root, mode: 0o711)
        if mkdir(directory(id), 0o711) != 0 {
            if errno == EEXIST { throw MinipodError(.alreadyExists, "container with id exists: \(id)") }
            throw MinipodError.sys("container \(id): mkdir \(directory(id))")
        }
    }

    public func load(_ id: String) throws -> OCIContainerRecord {
        try Self.validate(id)
        guard FileIO.exists(statePath(id)) else { throw MinipodError(.notFound, "container does not exist", field: id) }
        do {
            return try JSONDecoder().decode(OCIContainerRecord.self, from: Data(try FileIO.readBytes(statePath(id))))
        } catch {
            throw MinipodError(.runtime, "container \(id): unreadable state \(statePath(id)): \(error)")
        }
    }

    /// Runs `body` holding the container's lock (flock on its directory), so the verbs
    /// that read the state, decide and write (update's read-merge-write, pause, resume)
    /// do not interleave for one container. Short, and never held over a hook: start and
    /// delete take no lock (as runc), so `delete --force` always gets through.
    public func locked<T>(_ id: String, _ body: () throws -> T) throws -> T {
        try Self.validate(id)
        // Only the lock's own failures are told here; what `body` throws passes as it is.
        var fromBody = false
        do {
            return try FileLock.withExclusiveDescriptor(directory(id), flags: O_RDONLY | O_DIRECTORY) { fd in
                // Deleted (and perhaps created again) while this waited: the lock is not that container's.
                var held = stat()
                var current = stat()
                guard fstat(fd, &held) == 0, stat(directory(id), &current) == 0,
                    held.st_dev == current.st_dev, held.st_ino == current.st_ino
                else {
                    throw MinipodError(.notFound, "container does not exist", field: id)
                }
                fromBody = true
                return try body()
            }
        } catch let e as MinipodError where !fromBody && e.code == .system && e.errno == ENOENT {
            throw MinipodError(.notFound, "container does not exist", field: id)
        } catch let e as MinipodError where !fromBody && e.code == .system {
            throw e.wrapped("container \(id)")
        }
    }

    public func save(_ record: OCIContainerRecord) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try FileIO.writeAtomically(statePath(record.id), String(decoding: try encoder.encode(record), as: UTF8.self), mode: 0o600)
    }

    public func remove(_ id: String) throws {
        try Self.validate(id)
        try FileIO.removeTree(directory(id))
    }

    public func ids() -> [String] {
        ((try? FileIO.listDirectory(root)) ?? []).filter { FileIO.exists(statePath($0)) }
    }

    /// Derived, never stored: init alive (the same process, not a reused pid)
    /// and still waiting on exec.fifo → created; alive → running; else stopped.
    public func status(of record: OCIContainerRecord) -> OCIStatus {
        guard Signals.isAlive(record.pid), ProcessStartTime.of(record.pid) == record.pidStartTime else { return .stopped }
        return FileIO.exists(fifoPath(record.id)) ? .created : .running
    }
}
