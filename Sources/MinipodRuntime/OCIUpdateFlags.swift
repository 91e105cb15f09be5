import MinipodOCI
import MinipodSystem

/// The resource flags of `oci update`, as typed: runc parses each one itself
/// (sizes with go-units, the rest as Go integers), and so do we, to report
/// the flag a bad value came from.
public struct OCIUpdateFlags: Sendable {
    public var memory: String?
    public var memorySwap: String?
    public var memoryReservation: String?
    public var cpuShares: String?
    public var cpuPeriod: String?
    public var cpuQuota: String?
    public var cpuBurst: String?
    public var cpuRealtimePeriod: String?
    public var cpuRealtimeRuntime: String?
    public var cpuIdle: String?
    public var cpusetCpus: String?
    public var cpusetMems: String?
    public var pidsLimit: String?
    public var blkioWeight: String?

    public init() {}

    /// `resources` (the --resources file, or empty) with the fields the flags set replaced.
    public func apply(to resources: RuntimeSpec.Resources) throws -> RuntimeSpec.Resources {
        var r = resources
        var memory = r.memory ?? RuntimeSpec.Resources.Memory()
        if let value = self.memory { memory.limit = try Self.size(value, flag: "memory") }
        if let value = memorySwap { memory.swap = try Self.size(value, flag: "memory-swap") }
        if let value = memoryReservation { memory.reservation = try Self.size(value, flag: "memory-reservation") }
        if memory != RuntimeSpec.Resources.Memory() || r.memory != nil { r.memory = memory }

        var cpu = r.cpu ?? RuntimeSpec.Resources.CPU()
        if let value = cpuShares { cpu.shares = try Self.number(value, flag: "cpu-share") }
        if let value = cpuPeriod { cpu.period = try Self.number(value, flag: "cpu-period") }
        if let value = cpuQuota { cpu.quota = try Self.number(value, flag: "cpu-quota") }
        if let value = cpuBurst { cpu.burst = try Self.number(value, flag: "cpu-burst") }
        if let value = cpuRealtimePeriod { cpu.realtimePeriod = try Self.number(value, flag: "cpu-rt-period") }
        if let value = cpuRealtimeRuntime { cpu.realtimeRuntime = try Self.number(value, flag: "cpu-rt-runtime") }
        if let value = cpuIdle { cpu.idle = try Self.number(value, flag: "cpu-idle") }
        if let value = cpusetCpus, !value.isEmpty { cpu.cpus = value }
        if let value = cpusetMems, !value.isEmpty { cpu.mems = value }
        if cpu != RuntimeSpec.Resources.CPU() || r.cpu != nil { r.cpu = cpu }

        if let value = pidsLimit { r.pids = .init(limit: try Self.number(value, flag: "pids-limit")) }
        if let value = blkioWeight {
            var io = r.blockIO ?? RuntimeSpec.Resources.BlockIO()
            io.weight = try Self.number(value, flag: "blkio-weight")
            r.blockIO = io
        }
        return r
    }

    /// A memory flag: "-1" (unlimited) or a go-units size.
    static func size(_ text: String, flag: String) throws -> Int64 {
        if text == "-1" { return -1 }
        guard let bytes = RAMSize.bytes(text) else {
            throw MinipodError(.invalidArgument, "invalid value for --\(flag): invalid size: '\(text)'")
        }
        return bytes
    }

    /// An integer flag, in Go's base-10 syntax (strconv.ParseInt/ParseUint: an optional sign, digits only).
    static func number<T: FixedWidthInteger>(_ text: String, flag: String) throws -> T {
        guard let value = T(text, radix: 10) else {
            throw MinipodError(.invalidArgument, "invalid value for --\(flag): \"\(text)\" (want a whole number from \(T.min) to \(T.max))")
        }
        return value
    }
}
