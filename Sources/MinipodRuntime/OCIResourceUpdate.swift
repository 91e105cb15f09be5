import Foundation
import MinipodOCI
import MinipodSystem

/// How `oci update` changes a container's linux.resources. The fields the
/// change sets replace the saved ones and the others keep their value, so
/// values that depend on each other (quota and period, limit and swap) are
/// written together, as runc merges into its saved config. Zero, where the
/// driver reads it as "unset", and an empty cpuset leave a field as it was:
/// that is what the cgroup keeps, and what runc's update help calls an
/// unchanged value. Device rules are never changed (runc cannot either).
public enum OCIResourceUpdate {
    /// The --resources file: a runtime-spec LinuxResources object.
    public static func decode(_ bytes: [UInt8], source: String) throws -> RuntimeSpec.Resources {
        do {
            return try JSONDecoder().decode(RuntimeSpec.Resources.self, from: Data(bytes))
        } catch {
            throw MinipodError(.invalidArgument, "cannot parse --resources \(source): \(OCIBundle.describe(error))")
        }
    }

    public static func merge(_ change: RuntimeSpec.Resources, into current: RuntimeSpec.Resources) -> RuntimeSpec.Resources {
        var r = current
        if let m = change.memory { r.memory = merge(m, into: current.memory ?? .init()) }
        if let c = change.cpu { r.cpu = merge(c, into: current.cpu ?? .init()) }
        if let limit = change.pids?.limit, limit != 0 { r.pids = .init(limit: limit) }
        if let io = change.blockIO { r.blockIO = merge(io, into: current.blockIO ?? .init()) }
        r.hugepageLimits = keyed(current.hugepageLimits, change.hugepageLimits) { $0.pageSize }
        if let n = change.network {
            var network = current.network ?? .init()
            if let classID = n.classID, classID != 0 { network.classID = classID }
            network.priorities = keyed(network.priorities, n.priorities) { $0.name }
            r.network = network
        }
        if let rdma = change.rdma { r.rdma = (current.rdma ?? [:]).merging(rdma) { _, new in new } }
        if let unified = change.unified { r.unified = (current.unified ?? [:]).merging(unified) { _, new in new } }
        return r
    }

    private static func merge(_ m: RuntimeSpec.Resources.Memory, into current: RuntimeSpec.Resources.Memory) -> RuntimeSpec.Resources.Memory {
        var r = current
        set(&r.limit, m.limit)
        set(&r.reservation, m.reservation)
        set(&r.swap, m.swap)
        set(&r.kernel, m.kernel)
        set(&r.kernelTCP, m.kernelTCP)
        // runc: an unlimited memory with no swap value means unlimited swap too, not the old swap limit below it.
        if m.limit == -1 && m.swap == nil { r.swap = -1 }
        if let swappiness = m.swappiness { r.swappiness = swappiness }
        if let disable = m.disableOOMKiller { r.disableOOMKiller = disable }
        if let hierarchy = m.useHierarchy { r.useHierarchy = hierarchy }
        if let check = m.checkBeforeUpdate { r.checkBeforeUpdate = check }
        return r
    }

    private static func merge(_ c: RuntimeSpec.Resources.CPU, into current: RuntimeSpec.Resources.CPU) -> RuntimeSpec.Resources.CPU {
        var r = current
        set(&r.shares, c.shares)
        set(&r.quota, c.quota)
        set(&r.period, c.period)
        set(&r.realtimeRuntime, c.realtimeRuntime)
        set(&r.realtimePeriod, c.realtimePeriod)
        if let burst = c.burst { r.burst = burst }
        if let idle = c.idle { r.idle = idle }
        if let cpus = c.cpus, !cpus.isEmpty { r.cpus = cpus }
        if let mems = c.mems, !mems.isEmpty { r.mems = mems }
        return r
    }

    private static func merge(_ io: RuntimeSpec.Resources.BlockIO, into current: RuntimeSpec.Resources.BlockIO) -> RuntimeSpec.Resources.BlockIO {
        var r = current
        set(&r.weight, io.weight)
        set(&r.leafWeight, io.leafWeight)
        r.weightDevice = keyed(current.weightDevice, io.weightDevice) { "\($0.major):\($0.minor)" }
        r.throttleReadBpsDevice = keyed(current.throttleReadBpsDevice, io.throttleReadBpsDevice) { "\($0.major):\($0.minor)" }
        r.throttleWriteBpsDevice = keyed(current.throttleWriteBpsDevice, io.throttleWriteBpsDevice) { "\($0.major):\($0.minor)" }
        r.throttleReadIOPSDevice = keyed(current.throttleReadIOPSDevice, io.throttleReadIOPSDevice) { "\($0.major):\($0.minor)" }
        r.throttleWriteIOPSDevice = keyed(current.throttleWriteIOPSDevice, io.throttleWriteIOPSDevice) { "\($0.major):\($0.minor)" }
        return r
    }

    /// Zero is the driver's "unset": it keeps the saved value.
    private static func set<T: BinaryInteger>(_ field: inout T?, _ value: T?) {
        if let value, value != 0 { field = value }
    }

    /// Per-device (or per-page-size, per-interface) entries: a changed entry
    /// replaces the saved one of the same key, the others stay, in their order.
    private static func keyed<T>(_ current: [T]?, _ change: [T]?, key: (T) -> String) -> [T]? {
        guard let change else { return current }
        var result = current ?? []
        for entry in change {
            if let i = result.firstIndex(where: { key($0) == key(entry) }) { result[i] = entry } else { result.append(entry) }
        }
        return result
    }
}
