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
}
