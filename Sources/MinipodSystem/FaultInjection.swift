#if canImport(Glibc)
    import Glibc
#endif

/// Test hook for crash tests: when MINIPOD_FAULT names this point, the process
/// SIGKILLs itself there, as a crash or an OOM kill would. Costs one getenv.
public enum FaultInjection {
    /// The point MINIPOD_FAULT names, for a process that passes it on (minipod-init runs with an empty environment).
    public static var requested: String? { getenv("MINIPOD_FAULT").map { String(cString: $0) } }

    public static func point(_ name: String) {
        guard let value = getenv("MINIPOD_FAULT"), String(cString: value) == name else { return }
        kill(getpid(), SIGKILL)
    }

    /// When MINIPOD_FAULT names this point, throws as the call would have failed with
    /// `errno`: a host that cannot do something (a filesystem without ID-mapped mounts)
    /// stood in for by one that can, so the refusal and its clean-up are tested.
    public static func failure(_ name: String, errno: Int32, what: String) throws {
        guard let value = getenv("MINIPOD_FAULT"), String(cString: value) == name else { return }
        throw MinipodError.sys(what, errno: errno)
    }
}
