import Foundation
import MinipodKube
import MinipodSystem

/// Reads and writes a pod's state.json (the Pod object) and runtime.json under
/// an flock on the pod's lock file, so the CLI and the supervisor never lose
/// each other's updates. Writes are atomic (temp + rename).
public struct PodStore: Sendable {
    public let paths: PodPaths

    public init(paths: PodPaths) { self.paths = paths }

    public func exists(_ key: String) -> Bool { FileIO.exists(paths.statePath(key)) }

    public func keys() -> [String] {
        ((try? FileIO.listDirectory(paths.podsStateDir)) ?? []).filter { FileIO.exists(paths.statePath($0)) }
    }

    public func loadPod(_ key: String) throws -> Pod {
        guard let data = FileManager.default.contents(atPath: paths.statePath(key)) else {
            throw MinipodError.podNotFound(Self.name(fromKey: key))
        }
        return try JSONDecoder().decode(Pod.self, from: data)
    }

    public func loadRuntime(_ key: String) throws -> PodRuntimeInfo {
        guard let data = FileManager.default.contents(atPath: paths.runtimePath(key)) else {
            throw MinipodError.podNotFound(Self.name(fromKey: key))
        }
        return try JSONDecoder().decode(PodRuntimeInfo.self, from: data)
    }

    static func name(fromKey key: String) -> String {
        key.split(separator: "_", maxSplits: 1).last.map(String.init) ?? key
    }

    /// Creates the pod's run directory; fails with AlreadyExists if another pod holds the name.
    public func reserve(_ key: String) throws {
        try FileIO.makeDirectories(paths.podsStateDir)
        if mkdir(paths.runDir(key), 0o700) != 0 {
            if errno == EEXIST {
                throw MinipodError.podAlreadyExists(Self.name(fromKey: key))
            }
            throw MinipodError.sys("mkdir \(paths.runDir(key))")
        }
    }

    public func withLock<T>(_ key: String, _ body: () throws -> T) throws -> T {
        try FileLock.withExclusive(paths.lockPath(key), body)
    }

    public func save(_ pod: Pod, key: String) throws {
        var pod = pod
        pod.metadata.resourceVersion = String(try StoreVersion(paths: paths).next())
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try FileIO.writeAtomically(paths.statePath(key), String(decoding: try encoder.encode(pod), as: UTF8.self))
        // Every version also goes to an append-only history, so `get -w` shows
        // each transition (Init:0/1 → PodInitializing → Running) however fast it was.
        let line = String(decoding: try JSONEncoder().encode(pod), as: UTF8.self) + "\n"
        try? FileIO.write(paths.historyPath(key), line, mode: 0o600, flags: O_WRONLY | O_CREAT | O_APPEND)
    }

    /// Pod versions appended since `offset` (a byte offset into the history), and the new offset.
    public func history(_ key: String, from offset: Int) -> (pods: [Pod], offset: Int) {
        let fd = open(paths.historyPath(key), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return ([], offset) }
        defer { close(fd) }
        lseek(fd, off_t(offset), SEEK_SET)
        guard let bytes = try? FileIO.readAll(fd, what: "history") else { return ([], offset) }
        guard let lastNewline = bytes.lastIndex(of: UInt8(ascii: "\n")) else { return ([], offset) }
        let pods = bytes[...lastNewline].split(separator: UInt8(ascii: "\n")).compactMap { try? JSONDecoder().decode(Pod.self, from: Data($0)) }
        return (pods, offset + lastNewline + 1)
    }

    public func save(_ runtime: PodRuntimeInfo) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try FileIO.writeAtomically(paths.runtimePath(runtime.key), String(decoding: try encoder.encode(runtime), as: UTF8.self))
    }

    /// Read-modify-write of state.json under the lock; nothing is written (and
    /// resourceVersion does not move) when the change changed nothing.
    @discardableResult
    public func update(_ key: String, _ change: (inout Pod) -> Void) throws -> Pod {
        try updateNotingVersion(key, change).pod
    }

    /// update, and the identity of the file it left, taken under the lock: the
    /// supervisor, knowing what it wrote, need not decode it again until
    /// someone else replaces it.
    func updateNotingVersion(_ key: String, _ change: (inout Pod) -> Void) throws -> (pod: Pod, version: StateFileVersion?) {
        try withLock(key) {
            let before = try loadPod(key)
            var pod = before
            change(&pod)
            if pod != before { try save(pod, key: key) }
            return (pod, StateFileVersion(path: paths.statePath(key)))
        }
    }

    public func updateRuntime(_ key: String, _ change: (inout PodRuntimeInfo) -> Void) throws {
        try withLock(key) {
            var runtime = try loadRuntime(key)
            change(&runtime)
            try save(runtime)
        }
    }
}

/// Which file a path names and when it last changed: state.json is always
/// replaced by rename, so a new save shows as a new inode or time.
struct StateFileVersion: Equatable {
    let inode: UInt64
    let modifiedSeconds: Int
    let modifiedNanoseconds: Int
    let size: Int64

    init?(path: String) {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        inode = UInt64(st.st_ino)
        modifiedSeconds = st.st_mtim.tv_sec
        modifiedNanoseconds = st.st_mtim.tv_nsec
        size = Int64(st.st_size)
    }
}
