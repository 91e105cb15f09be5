import Foundation
import MinipodOCI
import MinipodSystem

/// linux.resources on cgroup v1: one directory per hierarchy, the files and
/// write order of runc's libcontainer/cgroups/fs.
struct CgroupV1Resources {
    let controllers: [String: String]  // controller → hierarchy mount
    let path: String

    /// The cgroup's directory in the controller's hierarchy; a value that needs
    /// a hierarchy the host does not mount is an error, as with runc.
    func files(_ controller: String, for field: String) throws -> CgroupFiles {
        guard let mount = controllers[controller] else {
            throw MinipodError(.runtime, "the \(controller) cgroup controller is not mounted on this host", field: field)
        }
        return CgroupFiles(directory: mount + "/" + path)
    }

    /// `devices` nil leaves the device list as it is (update, as runc's SkipDevices).
    func apply(_ r: RuntimeSpec.Resources, devices: [DeviceCgroupRule]?) throws {
        // v1 has no files of those names, and translating them would guess: refused before any write, as runc does.
        if let unified = r.unified, !unified.isEmpty {
            throw MinipodError(.invalidArgument, "cannot use unified on cgroup v1", field: "linux.resources.unified")
        }
        if let memory = r.memory { try applyMemory(memory) }
        if let cpu = r.cpu { try applyCPU(cpu) }
        if let pids = r.pids?.limit {
            try files("pids", for: "linux.resources.pids.limit").write(
                "pids.max", pids > 0 ? String(pids) : "max", field: "linux.resources.pids.limit")
        }
        if let io = r.blockIO { try applyBlockIO(io) }
        for (i, page) in (r.hugepageLimits ?? []).enumerated() {
            let field = "linux.resources.hugepageLimits[\(i)]"
            let hugetlb = try files("hugetlb", for: field)
            try hugetlb.write("hugetlb.\(page.pageSize).limit_in_bytes", String(page.limit), field: field + ".limit")
            // Reservations (kernel ≥ 5.7) get the same limit so a mmap cannot reserve past it.
            try hugetlb.writeIfSupported("hugetlb.\(page.pageSize).rsvd.limit_in_bytes", String(page.limit), field: field + ".limit")
        }
        if let network = r.network { try applyNetwork(network) }
        for (device, limits) in CgroupRdma.sorted(r.rdma) {
            guard let line = CgroupRdma.maxLine(device: device, limits) else { continue }
            let field = CgroupRdma.field(device)
            try files("rdma", for: field).write("rdma.max", line, field: field)
        }
        guard let devices else { return }
        // Without a devices hierarchy only rules the spec asked for are an error; the default list is skipped.
        if controllers["devices"] != nil || r.devices?.isEmpty == false {
            let deviceFiles = try files("devices", for: "linux.resources.devices")
            // In order: the kernel applies each line to the list the previous ones left.
            for (i, rule) in devices.enumerated() {
                try deviceFiles.write(rule.allow ? "devices.allow" : "devices.deny", rule.v1String, field: "linux.resources.devices[\(i)]")
            }
        }
    }

    private func applyMemory(_ m: RuntimeSpec.Resources.Memory) throws {
        let field = "linux.resources.memory"
        let memory = try files("memory", for: field)
        if let hierarchy = m.useHierarchy {
            // Written only to change it: the kernel refuses any write once the cgroup has
            // children (EBUSY), and kernels since 5.11 refuse "0" (EINVAL).
            let value = hierarchy ? "1" : "0"
            if memory.read("memory.use_hierarchy") != value { try memory.write("memory.use_hierarchy", value, field: field + ".useHierarchy") }
        }
        var swap = m.swap ?? 0
        // Unlimited memory with no swap value means unlimited swap too (runc).
        if m.limit == -1 && swap == 0 && memory.exists("memory.memsw.limit_in_bytes") { swap = -1 }
        if let limit = m.limit, limit != 0, swap != 0 {
            // The kernel keeps limit ≤ memsw limit after every write: raise first, lower last.
            let current = memory.readNumber("memory.limit_in_bytes") ?? UInt64.max
            if swap == -1 || current < UInt64(swap) {
                try writeSwap(swap, memory)
                try writeLimit(limit, memory)
            } else {
                try writeLimit(limit, memory)
                try writeSwap(swap, memory)
            }
        } else {
            if let limit = m.limit, limit != 0 { try writeLimit(limit, memory) }
            if swap != 0 { try writeSwap(swap, memory) }
        }
        // Kernel memory limits are gone from new kernels (the files stay but ignore writes,
        // or refuse them): skipped without error where missing, as runc does.
        if let kernel = m.kernel, kernel != 0 { try memory.writeIfSupported("memory.kmem.limit_in_bytes", String(kernel), field: field + ".kernel") }
        if let tcp = m.kernelTCP, tcp != 0 { try memory.writeIfSupported("memory.kmem.tcp.limit_in_bytes", String(tcp), field: field + ".kernelTCP") }
        if let reservation = m.reservation, reservation != 0 {
            try memory.write("memory.soft_limit_in_bytes", String(reservation), field: field + ".reservation")
        }
        if m.disableOOMKiller == true { try memory.write("memory.oom_control", "1", field: field + ".disableOOMKiller") }
        if let swappiness = m.swappiness, swappiness != UInt64.max {
            try memory.write("memory.swappiness", String(swappiness), field: field + ".swappiness")
        }
    }

    private func writeLimit(_ limit: Int64, _ memory: CgroupFiles) throws {
        do {
            try memory.write("memory.limit_in_bytes", String(limit), field: "linux.resources.memory.limit")
        } catch let error as MinipodError where error.errno == EBUSY {
            // The kernel refuses a limit below what the cgroup already uses.
            let usage = memory.read("memory.usage_in_bytes") ?? "?"
            let peak = memory.read("memory.max_usage_in_bytes") ?? "?"
            throw MinipodError(
                .runtime, "unable to set memory limit to \(limit) (current usage: \(usage), peak usage: \(peak))",
                field: "linux.resources.memory.limit")
        }
    }

    /// memory.memsw.* exists only with swap accounting; an unlimited swap needs nothing then.
    private func writeSwap(_ swap: Int64, _ memory: CgroupFiles) throws {
        if swap == -1 && !memory.exists("memory.memsw.limit_in_bytes") { return }
        try memory.write("memory.memsw.limit_in_bytes", String(swap), field: "linux.resources.memory.swap")
    }

    private func applyCPU(_ c: RuntimeSpec.Resources.CPU) throws {
        let field = "linux.resources.cpu"
        let needsCPUController =
            c.shares != nil || c.quota != nil || c.period != nil || c.burst != nil || c.idle != nil
            || c.realtimeRuntime != nil || c.realtimePeriod != nil
        if needsCPUController {
            let cpu = try files("cpu", for: field)
            if let shares = c.shares, shares != 0 {
                try cpu.write("cpu.shares", String(shares), field: field + ".shares")
                // The kernel clamps out-of-range shares silently: read back to report it.
                if let actual = cpu.readNumber("cpu.shares"), actual != shares {
                    throw MinipodError(
                        .invalidArgument, "the \(actual > shares ? "minimum" : "maximum") allowed cpu-shares is \(actual)",
                        field: field + ".shares")
                }
            }
            try writeOrdered(
                cpu, first: ("cpu.cfs_period_us", c.period.map(String.init), field + ".period"),
                then: ("cpu.cfs_quota_us", c.quota.map(String.init), field + ".quota"))
            if let burst = c.burst { try cpu.writeIfSupported("cpu.cfs_burst_us", String(burst), field: field + ".burst") }
            if let idle = c.idle, idle != 0 || cpu.exists("cpu.idle") { try cpu.write("cpu.idle", String(idle), field: field + ".idle") }
            try writeOrdered(
                cpu, first: ("cpu.rt_period_us", c.realtimePeriod.map(String.init), field + ".realtimePeriod"),
                then: ("cpu.rt_runtime_us", c.realtimeRuntime.map(String.init), field + ".realtimeRuntime"))
        }
        if let cpus = c.cpus, !cpus.isEmpty { try files("cpuset", for: field + ".cpus").write("cpuset.cpus", cpus, field: field + ".cpus") }
        if let mems = c.mems, !mems.isEmpty { try files("cpuset", for: field + ".mems").write("cpuset.mems", mems, field: field + ".mems") }
    }

    /// Period/quota pairs (CFS and realtime) depend on each other: the kernel may
    /// refuse a new period (EINVAL) until the quota is set, so retry it after (runc).
    private func writeOrdered(
        _ cpu: CgroupFiles, first: (file: String, value: String?, field: String),
        then second: (file: String, value: String?, field: String)
    ) throws {
        var retryFirst = false
        if let value = first.value, value != "0" {
            do { try cpu.write(first.file, value, field: first.field) } catch let error as MinipodError
                where error.errno == EINVAL && second.value != nil && second.value != "0"
            { retryFirst = true }
        }
        if let value = second.value, value != "0" {
            try cpu.write(second.file, value, field: second.field)
            if retryFirst, let value = first.value { try cpu.write(first.file, value, field: first.field) }
        }
    }

    private func applyBlockIO(_ io: RuntimeSpec.Resources.BlockIO) throws {
        let field = "linux.resources.blockIO"
        let blkio = try files("blkio", for: field)
        // blkio.weight is CFQ's; with BFQ the kernel names the files blkio.bfq.*.
        let cfq = blkio.exists("blkio.weight")
        let weightFile = cfq ? "blkio.weight" : "blkio.bfq.weight"
        let weightDeviceFile = cfq ? "blkio.weight_device" : "blkio.bfq.weight_device"
        if let weight = io.weight, weight != 0 { try blkio.write(weightFile, String(weight), field: field + ".weight") }
        if let leaf = io.leafWeight, leaf != 0 { try blkio.write("blkio.leaf_weight", String(leaf), field: field + ".leafWeight") }
        for (i, device) in (io.weightDevice ?? []).enumerated() {
            let deviceField = "\(field).weightDevice[\(i)]"
            if let weight = device.weight, weight != 0 {
                try blkio.write(weightDeviceFile, "\(device.major):\(device.minor) \(weight)", field: deviceField + ".weight")
            }
            if let leaf = device.leafWeight, leaf != 0 {
                try blkio.write("blkio.leaf_weight_device", "\(device.major):\(device.minor) \(leaf)", field: deviceField + ".leafWeight")
            }
        }
        for (name, devices) in BlockIOThrottle.all(io) {
            for (i, device) in devices.enumerated() {
                try blkio.write(BlockIOThrottle.v1File[name]!, "\(device.major):\(device.minor) \(device.rate)", field: "\(field).\(name)[\(i)]")
            }
        }
    }

    private func applyNetwork(_ n: RuntimeSpec.Resources.Network) throws {
        let field = "linux.resources.network"
        if let classID = n.classID, classID != 0 {
            try files("net_cls", for: field + ".classID").write("net_cls.classid", String(classID), field: field + ".classID")
        }
        for (i, priority) in (n.priorities ?? []).enumerated() {
            let prio = try files("net_prio", for: "\(field).priorities[\(i)]")
            try prio.write("net_prio.ifpriomap", "\(priority.name) \(priority.priority)", field: "\(field).priorities[\(i)]")
        }
    }
}
