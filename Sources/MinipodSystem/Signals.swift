import CMinipod

#if canImport(Glibc)
    import Glibc
#endif

public enum Signals {
    /// From now on these signals, sent to this process, go on to `pid` instead (as
    /// `runc exec` passes its signals to the process it runs).
    public static func forward(_ signals: [Int32], to pid: pid_t) throws {
        let rc = signals.withUnsafeBufferPointer { mp_forward_signals(pid, $0.baseAddress, Int32($0.count)) }
        if rc != 0 { throw MinipodError.sys("sigaction") }
    }

    /// The signals' default actions again (after the process they went to has ended).
    public static func stopForwarding(_ signals: [Int32]) {
        for signal in signals { _ = Glibc.signal(signal, SIG_DFL) }
    }

    /// At a process's start: a parent may have left signals blocked (some shells and
    /// test runners do), and Ctrl-C or SIGTERM must still reach it; a write to a closed
    /// pipe or socket returns EPIPE instead of killing it.
    public static func resetInherited() {
        var none = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, nil)
        _ = Glibc.signal(SIGPIPE, SIG_IGN)
    }

    static let table: [String: Int32] = [
        "HUP": SIGHUP, "INT": SIGINT, "QUIT": SIGQUIT, "ILL": SIGILL, "TRAP": SIGTRAP, "ABRT": SIGABRT,
        "BUS": SIGBUS, "FPE": SIGFPE, "KILL": SIGKILL, "USR1": SIGUSR1, "SEGV": SIGSEGV, "USR2": SIGUSR2,
        "PIPE": SIGPIPE, "ALRM": SIGALRM, "TERM": SIGTERM, "CHLD": SIGCHLD, "CONT": SIGCONT,
        "STOP": SIGSTOP, "TSTP": SIGTSTP, "TTIN": SIGTTIN, "TTOU": SIGTTOU, "URG": SIGURG,
        "XCPU": SIGXCPU, "XFSZ": SIGXFSZ, "VTALRM": SIGVTALRM, "PROF": SIGPROF, "WINCH": SIGWINCH,
        "IO": SIGIO, "PWR": SIGPWR, "SYS": SIGSYS,
    ]

    /// "SIGQUIT", "QUIT", "3" → 3.
    public static func number(_ name: String) -> Int32? {
        if let n = Int32(name), n > 0, n < 65 { return n }
        let upper = name.uppercased()
        return table[upper.hasPrefix("SIG") ? String(upper.dropFirst(3)) : upper]
    }

    public static func isAlive(_ pid: pid_t) -> Bool {
        guard pid > 0 else { return false }
        if kill(pid, 0) == 0 || errno == EPERM {
            // A zombie is not alive for our purposes.
            let state = processState(pid)
            return state != "Z" && state != "X"
        }
        return false
    }

    /// The one-letter state of /proc/<pid>/stat (R, S, D, Z, T, ...).
    public static func processState(_ pid: pid_t) -> Character? {
        guard let stat = try? FileIO.readString("/proc/\(pid)/stat"), let close = stat.lastIndex(of: ")") else { return nil }
        let after = stat.index(close, offsetBy: 2, limitedBy: stat.endIndex) ?? stat.endIndex
        return after < stat.endIndex ? stat[after] : nil
    }
}
