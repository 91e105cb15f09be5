import Foundation
import MinipodOCI
import MinipodSystem

/// linux.resources on cgroup v2: one directory, the files and conversions of
/// runc's libcontainer/cgroups/fs2. Fields v2 has no file for (kernel memory,
/// swappiness, disableOOMKiller, useHierarchy, blockIO leaf weights, network)
/// are ignored, as runc does.
struct CgroupV2Resources {
    let directory: String
    /// CgroupDeviceFilter.attach; unit tests on a fake tree record the program instead.
    var attachDeviceFilter: ([CgroupDeviceFilter.Instruction], String) throws -> Void = CgroupDeviceFilter.attach

    /// `devices` nil leaves the device program as it is (update, as runc's SkipDevices).
    func apply(_ r: RuntimeSpec.Resources, devices: [DeviceCgroupRule]?) throws {
        let files = CgroupFiles(directory: directory)
        if let pids = r.pids?.limit {
            try files.write("pids.max", pids > 0 ? String(pids) : "max", field: "linux.resources.pids.limit")
        }
        if let memory = r.memory { try applyMemory(memory, files) }
        if let io = r.blockIO { try applyIO(io, files) }
        if let cpu = r.cpu { try applyCPU(cpu, files) }
        if let devices { try attachDeviceFilter(CgroupDeviceFilter.program(devices), directory) }
        if let cpus = r.cpu?.cpus, !cpus.isEmpty { try files.write("cpuset.cpus", cpus, field: "linux.resources.cpu.cpus") }
        if let mems = r.cpu?.mems, !mems.isEmpty { try files.write("cpuset.mems", mems, field: "linux.resources.cpu.mems") }
        for (i, page) in (r.hugepageLimits ?? []).enumerated() {
            let field = "linux.resources.hugepageLimits[\(i)].limit"
            try files.write("hugetlb.\(page.pageSize).max", String(page.limit), field: field)
            try files.writeIfSupported("hugetlb.\(page.pageSize).rsvd.max", String(page.limit), field: field)
        }
        for (device, limits) in CgroupRdma.sorted(r.rdma) {
            guard let line = CgroupRdma.maxLine(device: device, limits) else { continue }
            try files.write("rdma.max", line, field: CgroupRdma.field(device))
        }
        // Last, as runc: a unified value overrides what the fields above wrote to the same file.
        if let unified = r.unified { try applyUnified(unified, files) }
    }

    private func applyUnified(_ unified: [String: String], _ files: CgroupFiles) throws {
        for (name, value) in unified.sorted(by: { $0.key < $1.key }) {
            let field = "linux.resources.unified[\"\(name)\"]"
            let controller = name.prefix { $0 != "." }
            // A missing file is most often a controller not enabled for this cgroup: say so, as runc does.
            let available = (files.read("cgroup.controllers") ?? "").split(separator: " ")
            if !files.exists(name) && controller != "cgroup" && !available.contains(controller) {
                throw MinipodError(.runtime, "the \(controller) controller is not available in this cgroup", field: field)
            }
            // The kernel takes one entry per write ("8:0 rbps=1" and "8:16 wbps=2" of io.max): one write per line.
            let lines = value.split(separator: "\n").map(String.init)
            for line in lines.isEmpty ? [value] : lines { try files.write(name, line, field: field) }
        }
    }

    /// v2 has no memory+swap limit: memory.swap.max is the swap alone (runc's
    /// ConvertMemorySwapToCgroupV2Value), so swap − limit.
    static func swapMax(swap: Int64, limit: Int64) throws -> Int64 {
        switch true {
        case limit == -1 && swap == 0: return -1
        case swap == -1, swap == 0, limit == -1: return swap
        case limit == 0:
            throw MinipodError(.invalidArgument, "unable to set swap limit without memory limit", field: "linux.resources.memory.swap")
        case limit < 0:
            throw MinipodError(.invalidArgument, "invalid memory value \(limit)", field: "linux.resources.memory.limit")
        case swap < limit:
            throw MinipodError(.invalidArgument, "memory+swap limit \(swap) should be >= memory limit \(limit)", field: "linux.resources.memory.swap")
        default: return swap - limit
        }
    }

    /// runc's numToStr: 0 is unset, -1 is "max".
    private static func value(_ n: Int64) -> String? { n == 0 ? nil : n == -1 ? "max" : String(n) }

    private func applyMemory(_ m: RuntimeSpec.Resources.Memory, _ files: CgroupFiles) throws {
        let field = "linux.resources.memory"
        let limit = m.limit ?? 0
        let swapRequest = m.swap ?? 0
        if limit == 0 && swapRequest == 0 && (m.reservation ?? 0) == 0 { return }
        if m.checkBeforeUpdate == true, limit > 0, let usage = files.readNumber("memory.current"), usage >= UInt64(limit) {
            throw MinipodError(.runtime, "rejecting memory limit \(limit) below current usage \(usage)", field: field + ".limit")
        }
        let swap = try Self.swapMax(swap: swapRequest, limit: limit)
        // Equal memory and swap values mean "no swap": write 0, not leave it unset.
        if let text = Self.value(swap) ?? (swapRequest > 0 ? "0" : nil) {
            // Without swap accounting there is no memory.swap.max; "max" and "0" then need nothing.
            if files.exists("memory.swap.max") || (text != "max" && text != "0") {
                try files.write("memory.swap.max", text, field: field + ".swap")
            }
        }
        if let text = Self.value(limit) { try files.write("memory.max", text, field: field + ".limit") }
        if let text = Self.value(m.reservation ?? 0) { try files.write("memory.low", text, field: field + ".reservation") }
    }

    private func applyCPU(_ c: RuntimeSpec.Resources.CPU, _ files: CgroupFiles) throws {
        let field = "linux.resources.cpu"
        if (c.realtimeRuntime ?? 0) != 0 || (c.realtimePeriod ?? 0) != 0 {
            throw MinipodError(.invalidArgument, "realtime scheduling is not supported on cgroup v2", field: field + ".realtimeRuntime")
        }
        if let idle = c.idle, idle != 0 || files.exists("cpu.idle") { try files.write("cpu.idle", String(idle), field: field + ".idle") }
        if let shares = c.shares, shares != 0 {
            try files.write("cpu.weight", String(Self.cpuWeight(shares: shares)), field: field + ".shares")
        }
        if let burst = c.burst { try files.writeIfSupported("cpu.max.burst", String(burst), field: field + ".burst") }
        let quota = c.quota ?? 0
        let period = c.period ?? 0
        if quota != 0 || period != 0 {
            // 100000 µs is the kernel's default period.
            try files.write("cpu.max", "\(quota > 0 ? String(quota) : "max") \(period != 0 ? period : 100_000)", field: field + ".quota")
        }
    }

    /// The conversion runc and crun use from v1 shares (2..262144) to v2 weight (1..10000).
    static func cpuWeight(shares: UInt64) -> UInt64 { 1 + ((max(2, min(shares, 262_144)) - 2) * 9999) / 262_142 }

    /// runc's ConvertBlkIOToIOWeightValue: blkio weight 10..1000 → io.weight 1..10000.
    static func ioWeight(blkioWeight: UInt16) -> UInt64 { 1 + (UInt64(blkioWeight) - 10) * 9999 / 990 }

    private func applyIO(_ io: RuntimeSpec.Resources.BlockIO, _ files: CgroupFiles) throws {
        let field = "linux.resources.blockIO"
        // With BFQ the weight goes unconverted to io.bfq.weight; per-device weights
        // only on kernels whose io.bfq.weight lists devices ("default 100\n…").
        let bfq = files.exists("io.bfq.weight")
        let bfqPerDevice = bfq && files.read("io.bfq.weight").map { Int($0) == nil } == true
        if let weight = io.weight, weight != 0 {
            if bfq {
                try files.write("io.bfq.weight", String(weight), field: field + ".weight")
            } else {
                try files.write("io.weight", String(Self.ioWeight(blkioWeight: weight)), field: field + ".weight")
            }
        }
        if bfqPerDevice {
            for (i, device) in (io.weightDevice ?? []).enumerated() {
                guard let weight = device.weight, weight != 0 else { continue }
                try files.write("io.bfq.weight", "\(device.major):\(device.minor) \(weight)", field: "\(field).weightDevice[\(i)].weight")
            }
        }
        for (name, devices) in BlockIOThrottle.all(io) {
            for (i, device) in devices.enumerated() {
                try files.write(
                    "io.max", "\(device.major):\(device.minor) \(BlockIOThrottle.v2Key[name]!)=\(device.rate)", field: "\(field).\(name)[\(i)]")
            }
        }
    }
}
