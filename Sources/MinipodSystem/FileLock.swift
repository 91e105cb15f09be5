#if canImport(Glibc)
    import Glibc
#endif

/// flock(2) on a lock file, held while a closure runs: the descriptor is opened,
/// locked and closed here on every path, so no caller closes it by hand.
public enum FileLock {
    /// Runs `body` holding the exclusive lock of `path`, waiting for it (the file is
    /// made, mode 0600, unless `flags` say otherwise).
    public static func withExclusive<T>(_ path: String, flags: Int32 = O_RDWR | O_CREAT, _ body: () throws -> T) throws -> T {
        try withExclusiveDescriptor(path, flags: flags) { _ in try body() }
    }

    /// As withExclusive, handing `body` the locked descriptor (a counter kept in the lock file itself).
    public static func withExclusiveDescriptor<T>(_ path: String, flags: Int32 = O_RDWR | O_CREAT, _ body: (Int32) throws -> T) throws -> T {
        let fd = open(path, flags | O_CLOEXEC, 0o600)
        if fd < 0 { throw MinipodError.sys("open \(path)") }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 { if errno != EINTR { throw MinipodError.sys("flock \(path)") } }
        return try body(fd)
    }

    /// As withExclusive, but `body` runs even when the lock cannot be had (the lock
    /// only orders writers that all take it; a failure to take it is no reason to stop).
    public static func withExclusiveIfPossible<T>(_ path: String, _ body: () throws -> T) rethrows -> T {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        defer { if fd >= 0 { close(fd) } }
        if fd >= 0 { while flock(fd, LOCK_EX) != 0 && errno == EINTR {} }
        return try body()
    }

    /// Runs `body` holding the lock if nobody else holds it, and returns its result;
    /// nil, without running it, when someone does. A missing file is no lock at all:
    /// `body` runs.
    public static func ifFree<T>(_ path: String, _ body: () throws -> T) rethrows -> T? {
        let fd = open(path, O_RDWR | O_CLOEXEC)
        if fd < 0 { return errno == ENOENT ? try body() : nil }
        defer { close(fd) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { return nil }
        return try body()
    }
}
