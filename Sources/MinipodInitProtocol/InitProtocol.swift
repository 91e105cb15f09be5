import MinipodOCI

/// Messages between the launcher (supervisor, `minipod exec`, `minipod oci`)
/// and minipod-init over their SOCK_SEQPACKET pair, one JSON document each.
public struct InitConfig: Codable, Sendable {
    public enum Mode: String, Codable, Sendable { case create, exec }
    public var mode: Mode
    public var spec: RuntimeSpec
    /// exec: the container's pid 1 (as seen from the host) whose namespaces to join.
    public var targetPid: Int32?
    /// cgroup.procs files init joins first (exec: before entering the namespaces).
    public var cgroupProcs: [String]?
    /// Container name, for error messages.
    public var name: String
    /// create (OCI CLI): a FIFO on the host that init opens for writing once set
    /// up; `start` opening it for reading is the go signal (runc's exec.fifo), so
    /// the start survives the `create` process exiting. nil: start over the socket.
    public var startFIFO: String?
    /// create: fd (in init) of a connected --console-socket; init makes a pty in the
    /// container's devpts, sends the master there and uses the slave as stdio.
    public var consoleSocketFD: Int32?
    /// create: fd (in init) of the rootfs as a detached mount the launcher made (an overlay
    /// on ID-mapped layers); init moves it onto root.path instead of mounting the overlay.
    public var rootfsMountFD: Int32?
    /// The compiled seccomp filter's flags; when set, the filter's instructions
    /// follow this config as a second message (compiled by the parent, loaded last by init).
    public var seccompFlags: UInt32?
    /// Test hook (MINIPOD_FAULT of the launcher): a named point where init stops itself.
    public var faultPoint: String?

    public init(mode: Mode, spec: RuntimeSpec, name: String) {
        self.mode = mode
        self.spec = spec
        self.name = name
    }
}

public struct InitReport: Codable, Sendable {
    public enum Kind: String, Codable, Sendable { case ready, error, pid }
    public var kind: Kind
    public var message: String?
    public var errno: Int32?
    public var pid: Int32?
    /// Exit code a runc user expects for this failure (127: not found, 126: not executable).
    public var exitCode: Int32?
    /// With "ready": what the setup changed from the spec (a limit lowered to what the host allows).
    public var warnings: [String]?

    public init(
        kind: Kind, message: String? = nil, errno: Int32? = nil, pid: Int32? = nil, exitCode: Int32? = nil, warnings: [String]? = nil
    ) {
        self.warnings = warnings
        self.kind = kind
        self.message = message
        self.errno = errno
        self.pid = pid
        self.exitCode = exitCode
    }
}

/// A seccomp filter compiled to classic BPF: what minipod-init hands to the
/// kernel as the very last step before execve.
public struct SeccompProgram: Equatable, Sendable {
    /// struct sock_filter entries, 8 bytes each, in host byte order.
    public var instructions: [UInt8]
    /// SECCOMP_FILTER_FLAG_* bits for seccomp(2).
    public var flags: UInt32

    public init(instructions: [UInt8], flags: UInt32) {
        self.instructions = instructions
        self.flags = flags
    }

    /// The flags as 4 little-endian bytes, then the instructions.
    public var serialized: [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: flags >> (8 * $0)) } + instructions
    }

    public init?(serialized bytes: [UInt8]) {
        guard bytes.count > 4, (bytes.count - 4) % 8 == 0 else { return nil }
        flags = (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[$1]) << (8 * $1) }
        instructions = Array(bytes[4...])
    }
}
