import Foundation
import MinipodOCI
import MinipodSystem
import Testing

@testable import MinipodCgroups

/// The cgroup drivers against directory trees laid out like /sys/fs/cgroup
/// (no root needed): a pure v2 host and this machine's v1 layout.
final class CgroupTests {
    let tmp: String

    init() throws {
        tmp = NSTemporaryDirectory() + "cgroup-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: tmp) }

    func touch(_ path: String, _ content: String = "") throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try content.write(toFile: path, atomically: false, encoding: .utf8)
    }

    func read(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "<missing>" }

    @Test func detectsPureV2FromCgroupControllers() throws {
        try touch(tmp + "/cgroup.controllers", "cpuset cpu io memory pids\n")
        #expect(CgroupLayout.detect(root: tmp) == .v2(root: tmp))
    }

    @Test func detectsV1HierarchiesPerController() throws {
        for c in ["memory", "pids", "cpu"] { try touch(tmp + "/\(c)/cgroup.procs") }
        try touch(tmp + "/unified/cgroup.procs")  // the hybrid host's cgroup2 mount is not ours to manage
        guard case .v1(let controllers) = CgroupLayout.detect(root: tmp) else {
            Issue.record("not v1")
            return
        }
        #expect(controllers == ["memory": tmp + "/memory", "pids": tmp + "/pids", "cpu": tmp + "/cpu"])
    }

    @Test func v2DriverOnAFakeV2TreeWritesLimitsAndDelegatesControllers() throws {
        try touch(tmp + "/cgroup.controllers", "cpuset cpu io memory pids\n")
        try touch(tmp + "/cgroup.subtree_control")
        let leaf = tmp + "/minipod/pod1/nginx"
        // The kernel creates these files with the directory; the fake tree has them already.
        for file in ["memory.max", "cpu.max", "cpu.weight", "pids.max", "cgroup.procs"] { try touch(leaf + "/" + file) }
        try touch(tmp + "/minipod/cgroup.subtree_control")
        try touch(tmp + "/minipod/pod1/cgroup.subtree_control")
        var resources = RuntimeSpec.Resources()
        resources.memory = .init(limit: 128 * 1024 * 1024)
        var cpu = RuntimeSpec.Resources.CPU()
        cpu.quota = 50_000
        cpu.period = 100_000
        cpu.shares = 512
        resources.cpu = cpu
        resources.pids = .init(limit: 100)
        var cgroup = Cgroup(layout: .v2(root: tmp), path: "minipod/pod1/nginx")
        DeviceFilterRecorder().install(on: &cgroup)  // the fake tree is no cgroup2 file system to attach a program to
        try cgroup.create(resources: resources)
        #expect(read(leaf + "/memory.max") == "134217728")
        #expect(read(leaf + "/cpu.max") == "50000 100000")
        #expect(read(leaf + "/cpu.weight") == "20")  // runc's shares→weight: 1 + (512-2)*9999/262142
        #expect(read(leaf + "/pids.max") == "100")
        for parent in [tmp, tmp + "/minipod", tmp + "/minipod/pod1"] {
            let control = read(parent + "/cgroup.subtree_control")
            for c in ["+cpu", "+memory", "+pids"] { #expect(control.contains(c), "\(parent): \(control)") }
        }
        #expect(cgroup.procsFiles == [leaf + "/cgroup.procs"])
    }

    @Test func v1DriverWritesEachControllersFiles() throws {
        for c in ["memory", "cpu", "pids"] { try touch(tmp + "/\(c)/cgroup.procs") }
        let files = [
            "memory/minipod/p/c/memory.limit_in_bytes", "cpu/minipod/p/c/cpu.shares", "cpu/minipod/p/c/cpu.cfs_quota_us",
            "cpu/minipod/p/c/cpu.cfs_period_us", "pids/minipod/p/c/pids.max",
        ]
        for f in files { try touch(tmp + "/" + f) }
        var resources = RuntimeSpec.Resources()
        resources.memory = .init(limit: 64 << 20)
        var cpu = RuntimeSpec.Resources.CPU()
        cpu.shares = 256
        cpu.quota = 20_000
        cpu.period = 100_000
        resources.cpu = cpu
        resources.pids = .init(limit: 50)
        let cgroup = Cgroup(layout: CgroupLayout.detect(root: tmp), path: "minipod/p/c")
        try cgroup.create(resources: resources)
        #expect(read(tmp + "/memory/minipod/p/c/memory.limit_in_bytes") == "67108864")
        #expect(read(tmp + "/cpu/minipod/p/c/cpu.shares") == "256")
        #expect(read(tmp + "/cpu/minipod/p/c/cpu.cfs_quota_us") == "20000")
        #expect(read(tmp + "/pids/minipod/p/c/pids.max") == "50")
        #expect(Set(cgroup.directories) == Set(["memory", "cpu", "pids"].map { tmp + "/\($0)/minipod/p/c" }))
    }
}
