import Foundation
import MinipodOCI
import MinipodSystem
import Testing

@testable import MinipodCgroups

/// A fake /sys/fs/cgroup in a temp dir. Cgroup files exist where the kernel
/// would create them (the driver never creates files), each holding the last
/// value written to it.
final class FakeCgroupTree {
    let root = NSTemporaryDirectory() + "cgroup-res-\(UUID().uuidString)"

    deinit { try? FileManager.default.removeItem(atPath: root) }

    func touch(_ path: String, _ content: String = "") throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try content.write(toFile: path, atomically: false, encoding: .utf8)
    }

    func read(_ path: String) -> String { (try? String(contentsOfFile: root + "/" + path, encoding: .utf8)) ?? "<missing>" }

    /// v1: each controller its own hierarchy; `files` are created in the container's cgroup "minipod/p/c".
    func v1(_ files: [String: [String]]) throws -> Cgroup {
        for (controller, names) in files {
            try touch(root + "/\(controller)/cgroup.procs")
            for name in names { try touch(root + "/\(controller)/minipod/p/c/\(name)", Self.initial[name] ?? "") }
        }
        return Cgroup(layout: CgroupLayout.detect(root: root), path: "minipod/p/c")
    }

    /// v2: one hierarchy; `files` in the container's cgroup "minipod/p/c". Device programs are recorded, not attached.
    func v2(_ files: [String], controllers: String = "cpuset cpu io memory hugetlb pids") throws -> Cgroup {
        try touch(root + "/cgroup.controllers", controllers + "\n")
        for dir in ["", "/minipod", "/minipod/p"] { try touch(root + dir + "/cgroup.subtree_control") }
        for name in files { try touch(root + "/minipod/p/c/" + name, Self.initial[name] ?? "") }
        var cgroup = Cgroup(layout: .v2(root: root), path: "minipod/p/c")
        DeviceFilterRecorder().install(on: &cgroup)  // a temp dir is no cgroup2 file system to attach a program to
        return cgroup
    }

    /// What a new cgroup's files read before anything is written (the driver reads some back).
    static let initial = ["memory.limit_in_bytes": "9223372036854771712\n", "cpu.shares": "1024\n"]
}

/// Records the device programs a v2 driver would attach.
final class DeviceFilterRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var attached: [(program: [CgroupDeviceFilter.Instruction], directory: String)] = []

    var programs: [(program: [CgroupDeviceFilter.Instruction], directory: String)] { lock.withLock { attached } }

    func install(on cgroup: inout Cgroup) {
        cgroup.attachDeviceFilter = { program, directory in self.lock.withLock { self.attached.append((program, directory)) } }
    }
}

/// Runs a cgroup device program the way the kernel does, for one access.
enum DeviceProgramInterpreter {
    enum Kind { case char, block }

    static func allows(_ program: [CgroupDeviceFilter.Instruction], _ kind: Kind, _ major: UInt32, _ minor: UInt32, _ access: String) -> Bool {
        var bits: UInt32 = 0
        if access.contains("m") { bits |= 1 }
        if access.contains("r") { bits |= 2 }
        if access.contains("w") { bits |= 4 }
        let context = [(kind == .block ? 1 : 2) | (bits << 16), major, minor]
        var r = [UInt64](repeating: 0, count: 11)
        var pc = 0
        while pc < program.count {
            let i = program[pc]
            let (d, s) = (Int(i.dst), Int(i.src))
            let imm32 = UInt64(UInt32(bitPattern: i.imm))
            let imm64 = UInt64(bitPattern: Int64(i.imm))
            switch i.code {
            case CgroupDeviceFilter.loadWord: r[d] = UInt64(context[Int(i.offset) / 4])  // r1 is the context pointer
            case CgroupDeviceFilter.and32Imm: r[d] = (r[d] & imm32) & 0xFFFF_FFFF
            case CgroupDeviceFilter.rsh32Imm: r[d] = (r[d] & 0xFFFF_FFFF) >> imm32
            case CgroupDeviceFilter.mov32Imm: r[d] = imm32
            case CgroupDeviceFilter.mov32Reg: r[d] = r[s] & 0xFFFF_FFFF
            case CgroupDeviceFilter.jneImm: if r[d] != imm64 { pc += Int(i.offset) }
            case CgroupDeviceFilter.jneReg: if r[d] != r[s] { pc += Int(i.offset) }
            case CgroupDeviceFilter.exit: return r[0] == 1
            default:
                Issue.record("unknown opcode \(i.code)")
                return false
            }
            pc += 1
        }
        Issue.record("program ran off its end")
        return false
    }
}

struct CgroupV1ResourceTests {
    let fake = FakeCgroupTree()

    @Test func memoryFieldsGoToTheirV1Files() throws {
        let cgroup = try fake.v1([
            "memory": [
                "memory.limit_in_bytes", "memory.soft_limit_in_bytes", "memory.memsw.limit_in_bytes",
                "memory.kmem.limit_in_bytes", "memory.kmem.tcp.limit_in_bytes", "memory.swappiness",
                "memory.oom_control",
            ]
        ])
        var r = RuntimeSpec.Resources()
        var m = RuntimeSpec.Resources.Memory(limit: 64 << 20)
        m.reservation = 32 << 20
        m.swap = 128 << 20
        m.kernel = 16 << 20
        m.kernelTCP = 8 << 20
        m.swappiness = 20
        m.disableOOMKiller = true
        r.memory = m
        try cgroup.create(resources: r)
        let dir = "memory/minipod/p/c/"
        #expect(fake.read(dir + "memory.limit_in_bytes") == "67108864")
        #expect(fake.read(dir + "memory.soft_limit_in_bytes") == "33554432")
        #expect(fake.read(dir + "memory.memsw.limit_in_bytes") == "134217728")
        #expect(fake.read(dir + "memory.kmem.limit_in_bytes") == "16777216")
        #expect(fake.read(dir + "memory.kmem.tcp.limit_in_bytes") == "8388608")
        #expect(fake.read(dir + "memory.swappiness") == "20")
        #expect(fake.read(dir + "memory.oom_control") == "1")
    }

    @Test func kernelMemoryIsSkippedWhereTheKernelHasNoFiles() throws {
        let cgroup = try fake.v1(["memory": ["memory.limit_in_bytes"]])
        var r = RuntimeSpec.Resources()
        var m = RuntimeSpec.Resources.Memory(limit: 64 << 20)
        m.kernel = 16 << 20
        m.kernelTCP = 8 << 20
        m.swap = -1  // unlimited swap needs no memsw file either
        r.memory = m
        try cgroup.create(resources: r)
        #expect(fake.read("memory/minipod/p/c/memory.limit_in_bytes") == "67108864")
        #expect(fake.read("memory/minipod/p/c/memory.kmem.limit_in_bytes") == "<missing>")
        #expect(fake.read("memory/minipod/p/c/memory.memsw.limit_in_bytes") == "<missing>")
    }

    @Test func aSwapLimitWithoutSwapAccountingNamesTheField() throws {
        let cgroup = try fake.v1(["memory": ["memory.limit_in_bytes"]])
        var r = RuntimeSpec.Resources()
        r.memory = .init(limit: 64 << 20)
        r.memory?.swap = 128 << 20
        let error = try #require(throws: MinipodError.self) { try cgroup.create(resources: r) }
        #expect(error.field == "linux.resources.memory.swap")
        #expect(error.description.contains("not supported on this host"))
    }

    @Test func swappinessAbove100IsRefusedBeforeAnythingIsWritten() throws {
        let cgroup = try fake.v1(["memory": ["memory.limit_in_bytes", "memory.swappiness"]])
        var r = RuntimeSpec.Resources()
        r.memory = .init(limit: 64 << 20)
        r.memory?.swappiness = 101
        let error = try #require(throws: MinipodError.self) { try cgroup.create(resources: r) }
        #expect(error.description == "linux.resources.memory.swappiness: invalid value 101 (valid range is 0-100)")
        #expect(fake.read("memory/minipod/p/c/memory.limit_in_bytes") == "9223372036854771712\n")
    }

    @Test func cpuFieldsGoToTheCpuAndCpusetHierarchies() throws {
        let cgroup = try fake.v1([
            "cpu": ["cpu.shares", "cpu.cfs_period_us", "cpu.cfs_quota_us", "cpu.rt_period_us", "cpu.rt_runtime_us", "cpu.idle"],
            "cpuset": ["cpuset.cpus", "cpuset.mems"],
        ])
        var cpu = RuntimeSpec.Resources.CPU()
        cpu.shares = 512
        cpu.period = 50_000
        cpu.quota = 25_000
        cpu.realtimePeriod = 1_000_000
        cpu.realtimeRuntime = 950_000
        cpu.idle = 1
        cpu.cpus = "0-1"
        cpu.mems = "0"
        var r = RuntimeSpec.Resources()
        r.cpu = cpu
        try cgroup.create(resources: r)
        let dir = "cpu/minipod/p/c/"
        #expect(fake.read(dir + "cpu.shares") == "512")
        #expect(fake.read(dir + "cpu.cfs_period_us") == "50000")
        #expect(fake.read(dir + "cpu.cfs_quota_us") == "25000")
        #expect(fake.read(dir + "cpu.rt_period_us") == "1000000")
        #expect(fake.read(dir + "cpu.rt_runtime_us") == "950000")
        #expect(fake.read(dir + "cpu.idle") == "1")
        #expect(fake.read("cpuset/minipod/p/c/cpuset.cpus") == "0-1")
        #expect(fake.read("cpuset/minipod/p/c/cpuset.mems") == "0")
    }

    @Test(arguments: ["x", "1-", "3-1", "0,,1", " 0"])
    func aBadCpuListNamesTheField(cpus: String) throws {
        let cgroup = try fake.v1(["cpuset": ["cpuset.cpus"]])
        var r = RuntimeSpec.Resources()
        r.cpu = RuntimeSpec.Resources.CPU()
        r.cpu?.cpus = cpus
        let error = try #require(throws: MinipodError.self) { try cgroup.create(resources: r) }
        #expect(error.description == "linux.resources.cpu.cpus: invalid value \"\(cpus)\"")
    }

    @Test func blockIOUsesCFQFilesWhenPresent() throws {
        let cgroup = try fake.v1([
            "blkio": [
                "blkio.weight", "blkio.weight_device", "blkio.leaf_weight", "blkio.leaf_weight_device",
                "blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device",
                "blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device",
            ]
        ])
        var io = RuntimeSpec.Resources.BlockIO()
        io.weight = 500
        io.leafWeight = 300
        io.weightDevice = [.init(major: 8, minor: 0, weight: 400, leafWeight: 200)]
        io.throttleReadBpsDevice = [.init(major: 8, minor: 0, rate: 102_400)]
        io.throttleWriteBpsDevice = [.init(major: 8, minor: 16, rate: 204_800)]
        io.throttleReadIOPSDevice = [.init(major: 254, minor: 0, rate: 300)]
        io.throttleWriteIOPSDevice = [.init(major: 254, minor: 0, rate: 400)]
        var r = RuntimeSpec.Resources()
        r.blockIO = io
        try cgroup.create(resources: r)
        let dir = "blkio/minipod/p/c/"
        #expect(fake.read(dir + "blkio.weight") == "500")
        #expect(fake.read(dir + "blkio.leaf_weight") == "300")
        #expect(fake.read(dir + "blkio.weight_device") == "8:0 400")
        #expect(fake.read(dir + "blkio.leaf_weight_device") == "8:0 200")
        #expect(fake.read(dir + "blkio.throttle.read_bps_device") == "8:0 102400")
        #expect(fake.read(dir + "blkio.throttle.write_bps_device") == "8:16 204800")
        #expect(fake.read(dir + "blkio.throttle.read_iops_device") == "254:0 300")
        #expect(fake.read(dir + "blkio.throttle.write_iops_device") == "254:0 400")
    }

    @Test func blockIOWeightGoesToBFQWithoutCFQAndAMissingLeafWeightFileIsAnError() throws {
        // This host's kernel: BFQ, no CFQ, no leaf weights.
        let cgroup = try fake.v1(["blkio": ["blkio.bfq.weight", "blkio.bfq.weight_device"]])
        var r = RuntimeSpec.Resources()
        r.blockIO = RuntimeSpec.Resources.BlockIO()
        r.blockIO?.weight = 500
        r.blockIO?.weightDevice = [.init(major: 254, minor: 0, weight: 100)]
        try cgroup.create(resources: r)
        #expect(fake.read("blkio/minipod/p/c/blkio.bfq.weight") == "500")
        #expect(fake.read("blkio/minipod/p/c/blkio.bfq.weight_device") == "254:0 100")
        r.blockIO?.leafWeight = 300
        let error = try #require(throws: MinipodError.self) { try cgroup.apply(r) }
        #expect(error.field == "linux.resources.blockIO.leafWeight")
    }

    @Test func hugepageLimitsNeedTheHugetlbHierarchy() throws {
        let cgroup = try fake.v1(["hugetlb": ["hugetlb.2MB.limit_in_bytes", "hugetlb.2MB.rsvd.limit_in_bytes", "hugetlb.1GB.limit_in_bytes"]])
        var r = RuntimeSpec.Resources()
        r.hugepageLimits = [.init(pageSize: "2MB", limit: 4 << 20), .init(pageSize: "1GB", limit: 1 << 30)]
        try cgroup.create(resources: r)
        #expect(fake.read("hugetlb/minipod/p/c/hugetlb.2MB.limit_in_bytes") == "4194304")
        #expect(fake.read("hugetlb/minipod/p/c/hugetlb.2MB.rsvd.limit_in_bytes") == "4194304")
        #expect(fake.read("hugetlb/minipod/p/c/hugetlb.1GB.limit_in_bytes") == "1073741824")
        #expect(fake.read("hugetlb/minipod/p/c/hugetlb.1GB.rsvd.limit_in_bytes") == "<missing>")

        let other = FakeCgroupTree()
        let noHugetlb = try other.v1(["memory": []])
        let error = try #require(throws: MinipodError.self) { try noHugetlb.create(resources: r) }
        #expect(error.description == "linux.resources.hugepageLimits[0]: the hugetlb cgroup controller is not mounted on this host")
    }

    @Test func networkClassAndPrioritiesGoToCoMountedNetClsAndNetPrio() throws {
        // Hosts mount them together and link each name to the shared hierarchy.
        let shared = fake.root + "/net_cls,net_prio"
        try fake.touch(shared + "/cgroup.procs")
        for name in ["net_cls.classid", "net_prio.ifpriomap"] { try fake.touch(shared + "/minipod/p/c/" + name) }
        for link in ["net_cls", "net_prio"] {
            try FileManager.default.createSymbolicLink(atPath: fake.root + "/" + link, withDestinationPath: "net_cls,net_prio")
        }
        let cgroup = Cgroup(layout: CgroupLayout.detect(root: fake.root), path: "minipod/p/c")
        var r = RuntimeSpec.Resources()
        r.network = RuntimeSpec.Resources.Network()
        r.network?.classID = 0x100001
        r.network?.priorities = [.init(name: "eth0", priority: 500)]
        try cgroup.create(resources: r)
        #expect(fake.read("net_cls,net_prio/minipod/p/c/net_cls.classid") == "1048577")
        #expect(fake.read("net_cls,net_prio/minipod/p/c/net_prio.ifpriomap") == "eth0 500")
        #expect(cgroup.directories == [shared + "/minipod/p/c"])
    }

    @Test func withoutRulesTheDefaultDeviceListIsWrittenDenyAllFirst() throws {
        let cgroup = try fake.v1(["devices": ["devices.allow", "devices.deny"]])
        try cgroup.create(resources: nil)
        #expect(fake.read("devices/minipod/p/c/devices.deny") == "a")
        #expect(fake.read("devices/minipod/p/c/devices.allow") == "c 10:200 rwm")  // the last allow line
        let lines = try DeviceCgroupRule.rules(from: Cgroup.defaultDeviceRules).map { ($0.allow ? "allow " : "deny ") + $0.v1String }
        #expect(
            lines == [
                "deny a", "allow c *:* m", "allow b *:* m", "allow c 1:3 rwm", "allow c 1:5 rwm", "allow c 1:7 rwm",
                "allow c 1:8 rwm", "allow c 1:9 rwm", "allow c 5:0 rwm", "allow c 5:1 rwm", "allow c 5:2 rwm",
                "allow c 136:* rwm", "allow c 10:200 rwm",
            ])
    }

    @Test func specDeviceRulesReplaceTheDefaultListInOrder() throws {
        let cgroup = try fake.v1(["devices": ["devices.allow", "devices.deny"]])
        var r = RuntimeSpec.Resources()
        r.devices = [
            .init(allow: false, access: "rwm"), .init(allow: true, type: "c", major: 10, minor: 229, access: "rwm"),
            .init(allow: false, type: "b", major: 8, minor: 0, access: "w"),
        ]
        try cgroup.create(resources: r)
        #expect(fake.read("devices/minipod/p/c/devices.allow") == "c 10:229 rwm")
        #expect(fake.read("devices/minipod/p/c/devices.deny") == "b 8:0 w")
    }

    @Test func aPartialTypeARuleBecomesCharAndBlockRules() throws {
        let rules = try DeviceCgroupRule.rules(from: [
            .init(allow: true, type: "a", major: 1, minor: nil, access: "r"),
            .init(allow: false, type: nil, major: -1, minor: -1, access: nil),
        ])
        #expect(rules.map(\.v1String) == ["c 1:* r", "b 1:* r", "a"])
        let error = try #require(throws: MinipodError.self) { try DeviceCgroupRule.rules(from: [.init(allow: true, type: "c", access: "rwx")]) }
        #expect(error.description == "linux.resources.devices[0].access: invalid access \"rwx\" (want a subset of rwm)")
    }

    @Test func detectsOptionalHierarchiesAndRemoveLeavesNoDirectoryInAny() throws {
        for c in ["cpu", "memory", "devices", "hugetlb", "net_cls", "net_prio", "perf_event"] { try fake.touch(fake.root + "/\(c)/cgroup.procs") }
        guard case .v1(let controllers) = CgroupLayout.detect(root: fake.root) else {
            Issue.record("not v1")
            return
        }
        #expect(Set(controllers.keys) == ["cpu", "memory", "devices", "hugetlb", "net_cls", "net_prio", "perf_event"])
        let cgroup = Cgroup(layout: .v1(controllers: controllers), path: "minipod/p/c")
        var r = RuntimeSpec.Resources()
        r.devices = []  // the fake tree has no devices.* files to write
        try cgroup.create(resources: r)
        #expect(cgroup.directories.count == 7 && cgroup.directories.allSatisfy { FileIO.isDirectory($0) })
        cgroup.remove(parentLevels: 2)
        for c in controllers.keys {
            #expect(!FileIO.exists(fake.root + "/\(c)/minipod"), "\(c) still has minipod/")
        }
    }
}

struct CgroupV2ResourceTests {
    let fake = FakeCgroupTree()

    @Test func memoryLimitSwapAndReservationOnAV2HostLayout() throws {
        let cgroup = try fake.v2(["memory.max", "memory.swap.max", "memory.low"])
        var r = RuntimeSpec.Resources()
        r.memory = .init(limit: 128 << 20)
        r.memory?.swap = 256 << 20
        r.memory?.reservation = 64 << 20
        r.memory?.swappiness = 10  // no v2 file: ignored as runc does
        r.memory?.disableOOMKiller = true
        r.memory?.kernel = 1 << 20
        try cgroup.create(resources: r)
        #expect(fake.read("minipod/p/c/memory.max") == "134217728")
        #expect(fake.read("minipod/p/c/memory.swap.max") == "134217728")  // swap − limit
        #expect(fake.read("minipod/p/c/memory.low") == "67108864")
    }

    @Test func swapConversionFollowsRuncOnAV2HostLayout() throws {
        #expect(try CgroupV2Resources.swapMax(swap: 0, limit: -1) == -1)
        #expect(try CgroupV2Resources.swapMax(swap: -1, limit: 100) == -1)
        #expect(try CgroupV2Resources.swapMax(swap: 100, limit: 100) == 0)
        #expect(try CgroupV2Resources.swapMax(swap: 300, limit: 100) == 200)
        #expect(throws: MinipodError.self) { try CgroupV2Resources.swapMax(swap: 50, limit: 100) }
        #expect(throws: MinipodError.self) { try CgroupV2Resources.swapMax(swap: 50, limit: 0) }

        let cgroup = try fake.v2(["memory.max", "memory.swap.max"])
        var r = RuntimeSpec.Resources()
        r.memory = .init(limit: 100 << 20)
        r.memory?.swap = 100 << 20  // equal: no swap at all
        try cgroup.create(resources: r)
        #expect(fake.read("minipod/p/c/memory.swap.max") == "0")
        r.memory = .init(limit: -1)
        try cgroup.apply(r)
        #expect(fake.read("minipod/p/c/memory.max") == "max")
        #expect(fake.read("minipod/p/c/memory.swap.max") == "max")
    }

    @Test func checkBeforeUpdateRefusesALimitBelowUsageOnAV2HostLayout() throws {
        let cgroup = try fake.v2(["memory.max", "memory.current"])
        try fake.touch(fake.root + "/minipod/p/c/memory.current", "2097152\n")
        var r = RuntimeSpec.Resources()
        r.memory = .init(limit: 1 << 20)
        r.memory?.checkBeforeUpdate = true
        let error = try #require(throws: MinipodError.self) { try cgroup.create(resources: r) }
        #expect(error.description == "linux.resources.memory.limit: rejecting memory limit 1048576 below current usage 2097152")
        #expect(fake.read("minipod/p/c/memory.max") == "")
    }

    @Test func cpuIdleWeightMaxAndCpusetOnAV2HostLayout() throws {
        let cgroup = try fake.v2(["cpu.idle", "cpu.weight", "cpu.max", "cpuset.cpus", "cpuset.mems"])
        var cpu = RuntimeSpec.Resources.CPU()
        cpu.idle = 1
        cpu.shares = 1024
        cpu.period = 200_000
        cpu.cpus = "0"
        cpu.mems = "0"
        var r = RuntimeSpec.Resources()
        r.cpu = cpu
        try cgroup.create(resources: r)
        #expect(fake.read("minipod/p/c/cpu.idle") == "1")
        #expect(fake.read("minipod/p/c/cpu.weight") == "39")  // 1 + (1024-2)*9999/262142
        #expect(fake.read("minipod/p/c/cpu.max") == "max 200000")  // a period alone keeps the quota unlimited
        #expect(fake.read("minipod/p/c/cpuset.cpus") == "0")
        #expect(fake.read("minipod/p/c/cpuset.mems") == "0")
        r.cpu?.realtimeRuntime = 1000
        let error = try #require(throws: MinipodError.self) { try cgroup.apply(r) }
        #expect(error.field == "linux.resources.cpu.realtimeRuntime")
    }

    @Test func blockIOConvertsToIOWeightAndIOMaxOnAV2HostLayout() throws {
        let cgroup = try fake.v2(["io.weight", "io.max"])
        var io = RuntimeSpec.Resources.BlockIO()
        io.weight = 500
        io.leafWeight = 300  // no v2 equivalent: ignored
        io.weightDevice = [.init(major: 8, minor: 0, weight: 400)]  // only with BFQ
        io.throttleWriteIOPSDevice = [.init(major: 8, minor: 0, rate: 300)]
        var r = RuntimeSpec.Resources()
        r.blockIO = io
        try cgroup.create(resources: r)
        #expect(fake.read("minipod/p/c/io.weight") == "4950")  // 1 + (500-10)*9999/990
        #expect(fake.read("minipod/p/c/io.max") == "8:0 wiops=300")
        #expect(CgroupV2Resources.ioWeight(blkioWeight: 10) == 1 && CgroupV2Resources.ioWeight(blkioWeight: 1000) == 10000)
    }

    @Test func blockIOWeightsGoUnconvertedToBFQOnAV2HostLayout() throws {
        let cgroup = try fake.v2(["io.weight", "io.bfq.weight"])
        try fake.touch(fake.root + "/minipod/p/c/io.bfq.weight", "default 100\n")  // a kernel with per-device BFQ weights
        var r = RuntimeSpec.Resources()
        r.blockIO = RuntimeSpec.Resources.BlockIO()
        r.blockIO?.weight = 500
        r.blockIO?.weightDevice = [.init(major: 8, minor: 0, weight: 400)]
        try cgroup.create(resources: r)
        #expect(fake.read("minipod/p/c/io.bfq.weight") == "8:0 400")  // the last write
        #expect(fake.read("minipod/p/c/io.weight") == "")
    }

    @Test func hugepagesAndNetworkOnAV2HostLayout() throws {
        let cgroup = try fake.v2(["hugetlb.2MB.max", "hugetlb.2MB.rsvd.max"])
        var r = RuntimeSpec.Resources()
        r.hugepageLimits = [.init(pageSize: "2MB", limit: 8 << 20)]
        r.network = RuntimeSpec.Resources.Network()
        r.network?.classID = 7  // v2 has no net_cls: ignored
        try cgroup.create(resources: r)
        #expect(fake.read("minipod/p/c/hugetlb.2MB.max") == "8388608")
        #expect(fake.read("minipod/p/c/hugetlb.2MB.rsvd.max") == "8388608")
        #expect(fake.read("cgroup.subtree_control").contains("+hugetlb"))
        r.hugepageLimits = [.init(pageSize: "2M", limit: 1)]
        let error = try #require(throws: MinipodError.self) { try cgroup.apply(r) }
        #expect(error.description == "linux.resources.hugepageLimits[0].pageSize: invalid value \"2M\"")
    }

    @Test func defaultDeviceRulesBecomeAnEBPFProgramOnAV2HostLayout() throws {
        var cgroup = try fake.v2([])
        let recorder = DeviceFilterRecorder()
        recorder.install(on: &cgroup)
        try cgroup.create(resources: nil)
        let attached = try #require(recorder.programs.first)
        #expect(recorder.programs.count == 1 && attached.directory == fake.root + "/minipod/p/c")
        let program = attached.program
        #expect(DeviceProgramInterpreter.allows(program, .char, 1, 3, "rw"))  // /dev/null
        #expect(DeviceProgramInterpreter.allows(program, .char, 136, 7, "rw"))  // a pty
        #expect(DeviceProgramInterpreter.allows(program, .block, 8, 0, "m"))  // mknod is harmless
        #expect(!DeviceProgramInterpreter.allows(program, .block, 8, 0, "r"))  // reading the host's disk is not
        #expect(!DeviceProgramInterpreter.allows(program, .block, 8, 0, "rm"))
        #expect(!DeviceProgramInterpreter.allows(program, .char, 1, 1, "r"))  // /dev/mem
        #expect(!DeviceProgramInterpreter.allows(program, .char, 10, 229, "rw"))  // /dev/fuse
    }

    @Test func laterDeviceRulesActOnWhatEarlierOnesLeftOnAV2HostLayout() throws {
        let rules = try DeviceCgroupRule.rules(from: [
            .init(allow: false, access: "rwm"),
            .init(allow: true, type: "c", major: 10, minor: 229, access: "rw"),
            .init(allow: true, type: "c", major: 10, minor: 229, access: "m"),  // merges into rwm
            .init(allow: true, type: "b", major: 8, minor: nil, access: "rw"),
            .init(allow: false, type: "b", major: 8, minor: nil, access: "w"),  // takes write back
        ])
        let program = CgroupDeviceFilter.program(rules)
        #expect(DeviceProgramInterpreter.allows(program, .char, 10, 229, "rwm"))
        #expect(DeviceProgramInterpreter.allows(program, .block, 8, 3, "r"))
        #expect(!DeviceProgramInterpreter.allows(program, .block, 8, 3, "w"))
        #expect(!DeviceProgramInterpreter.allows(program, .char, 1, 3, "r"))
        // A later allow-all leaves a program that allows everything.
        let open = CgroupDeviceFilter.program(rules + (try DeviceCgroupRule.rules(from: [.init(allow: true)])))
        #expect(open.count == 8 && DeviceProgramInterpreter.allows(open, .block, 8, 0, "rwm"))
    }

    @Test func instructionsEncodeAsStructBpfInsn() {
        let bytes = CgroupDeviceFilter.encode([
            .init(code: CgroupDeviceFilter.loadWord, dst: 4, src: 1, offset: 4),
            .init(code: CgroupDeviceFilter.jneImm, dst: 2, offset: -2, imm: 0x0102_0304),
        ])
        #expect(
            bytes == [
                0x61, 0x14, 4, 0, 0, 0, 0, 0,
                0x55, 0x02, 0xFE, 0xFF, 0x04, 0x03, 0x02, 0x01,
            ])
    }
}

/// The eBPF device program against the kernel: needs root and a cgroup2 mount
/// (pure v2 hosts, or the /sys/fs/cgroup/unified of this v1 hybrid host, where
/// device programs apply as well). Skipped otherwise.
struct CgroupDeviceFilterKernelTests {
    static let cgroup2Root: String? = {
        let mounts = (try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)) ?? ""
        let fields = mounts.split(separator: "\n").map { $0.split(separator: " ") }
        return fields.first { $0.count > 2 && $0[2] == "cgroup2" }.map { String($0[1]) }
    }()

    /// Runs `script` with sh inside `cgroup` (the shell moves itself in first); returns exit status and stderr.
    func run(inCgroup cgroup: String, _ script: String) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "echo $$ > \(cgroup)/cgroup.procs && " + script]
        let stderr = Pipe()
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }

    @Test(
        .enabled(
            if: getuid() == 0 && cgroup2Root != nil && FileManager.default.fileExists(atPath: "/dev/loop0"),
            "needs root, a cgroup2 mount and /dev/loop0"))
    func theAttachedProgramRefusesDevicesTheRulesDoNotAllow() throws {
        let dir = Self.cgroup2Root! + "/minipod-devtest-\(UUID().uuidString.prefix(8))"
        try FileIO.makeDirectories(dir)
        defer { rmdir(dir) }
        #expect(try run(inCgroup: dir, "head -c1 /dev/zero").status == 0)
        #expect(try run(inCgroup: dir, ": < /dev/loop0").status == 0)
        let onlyNull = try DeviceCgroupRule.rules(from: [
            .init(allow: false, access: "rwm"), .init(allow: true, type: "c", major: 1, minor: 3, access: "rwm"),
        ])
        try CgroupDeviceFilter.attach(program: CgroupDeviceFilter.program(onlyNull), toCgroup: dir)
        let refused = try run(inCgroup: dir, "head -c1 /dev/zero")
        #expect(refused.status != 0 && refused.stderr.contains("Operation not permitted"), "\(refused)")
        #expect(try run(inCgroup: dir, "cat /dev/null").status == 0)
        // Applying again replaces the program instead of stacking a second one.
        try CgroupDeviceFilter.attach(program: CgroupDeviceFilter.program(try DeviceCgroupRule.rules(from: Cgroup.defaultDeviceRules)), toCgroup: dir)
        #expect(try run(inCgroup: dir, "head -c1 /dev/zero").status == 0)
        #expect(try run(inCgroup: dir, ": < /dev/loop0").stderr.contains("Operation not permitted"))  // a block device
    }
}
