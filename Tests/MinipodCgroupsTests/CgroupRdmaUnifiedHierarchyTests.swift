import Foundation
import MinipodOCI
import MinipodSystem
import Testing

@testable import MinipodCgroups

/// memory.useHierarchy, rdma and unified on the fake v1 and v2 trees of
/// CgroupResourceTests, and updates that leave the device rules alone.
struct CgroupV1HierarchyRdmaUnifiedTests {
    let fake = FakeCgroupTree()

    @Test func useHierarchyIsWrittenOnlyWhenItChanges() throws {
        let cgroup = try fake.v1(["memory": ["memory.use_hierarchy"]])
        try fake.touch(fake.root + "/memory/minipod/p/c/memory.use_hierarchy", "0\n")
        var r = RuntimeSpec.Resources()
        r.memory = RuntimeSpec.Resources.Memory()
        r.memory?.useHierarchy = true
        try cgroup.create(resources: r)
        #expect(fake.read("memory/minipod/p/c/memory.use_hierarchy") == "1")
        // Already 1: no write, so a kernel that refuses writes (children exist) is not asked.
        try fake.touch(fake.root + "/memory/minipod/p/c/memory.use_hierarchy", "1\n")
        try cgroup.apply(r)
        #expect(fake.read("memory/minipod/p/c/memory.use_hierarchy") == "1\n")
    }

    @Test func useHierarchyWithoutItsFileNamesTheField() throws {
        let cgroup = try fake.v1(["memory": ["memory.limit_in_bytes"]])
        var r = RuntimeSpec.Resources()
        r.memory = RuntimeSpec.Resources.Memory()
        r.memory?.useHierarchy = false
        let error = try #require(throws: MinipodError.self) { try cgroup.create(resources: r) }
        #expect(error.field == "linux.resources.memory.useHierarchy")
        #expect(error.description.contains("memory.use_hierarchy does not exist"))
    }

    @Test func rdmaLimitsGoToTheRdmaHierarchyOneDeviceAtATime() throws {
        let cgroup = try fake.v1(["rdma": ["rdma.max"]])
        var r = RuntimeSpec.Resources()
        r.rdma = ["mlx5_1": .init(hcaHandles: 3, hcaObjects: 10_000), "mlx4_0": .init(hcaObjects: 50)]
        try cgroup.create(resources: r)
        #expect(fake.read("rdma/minipod/p/c/rdma.max") == "mlx5_1 hca_handle=3 hca_object=10000")  // the last write, in name order
        #expect(CgroupRdma.maxLine(device: "mlx4_0", .init(hcaObjects: 50)) == "mlx4_0 hca_object=50")
        #expect(CgroupRdma.maxLine(device: "mlx4_0", .init(hcaHandles: 2)) == "mlx4_0 hca_handle=2")
        #expect(CgroupRdma.maxLine(device: "mlx4_0", .init()) == nil)
    }

    @Test func rdmaWithoutTheRdmaHierarchyNamesTheDevice() throws {
        let cgroup = try fake.v1(["memory": []])
        var r = RuntimeSpec.Resources()
        r.rdma = ["mlx5_1": .init(hcaHandles: 3)]
        let error = try #require(throws: MinipodError.self) { try cgroup.create(resources: r) }
        #expect(error.description == "linux.resources.rdma[\"mlx5_1\"]: the rdma cgroup controller is not mounted on this host")
    }

    @Test(arguments: ["", "mlx5 1", "mlx5_1\nx"])
    func anRdmaDeviceNameThatWouldBreakTheLineIsRefused(name: String) throws {
        let cgroup = try fake.v1(["rdma": ["rdma.max"]])
        var r = RuntimeSpec.Resources()
        r.rdma = [name: .init(hcaHandles: 1)]
        let error = try #require(throws: MinipodError.self) { try cgroup.create(resources: r) }
        #expect(error.field == CgroupRdma.field(name))
        #expect(fake.read("rdma/minipod/p/c/rdma.max") == "")
    }

    @Test func unifiedIsRefusedOnV1BeforeAnythingIsWritten() throws {
        let cgroup = try fake.v1(["memory": ["memory.limit_in_bytes"]])
        var r = RuntimeSpec.Resources()
        r.memory = .init(limit: 64 << 20)
        r.unified = ["memory.high": "1000000"]
        let error = try #require(throws: MinipodError.self) { try cgroup.create(resources: r) }
        #expect(error.description == "linux.resources.unified: cannot use unified on cgroup v1")
        #expect(fake.read("memory/minipod/p/c/memory.limit_in_bytes") == "9223372036854771712\n")
        r.unified = [:]  // asks for nothing
        try cgroup.apply(r)
        #expect(fake.read("memory/minipod/p/c/memory.limit_in_bytes") == "67108864")
    }

    @Test func skippingDevicesLeavesTheDeviceListAlone() throws {
        let cgroup = try fake.v1(["devices": ["devices.allow", "devices.deny"], "pids": ["pids.max"]])
        var r = RuntimeSpec.Resources()
        r.pids = .init(limit: 50)
        try cgroup.apply(r, skipDevices: true)
        #expect(fake.read("pids/minipod/p/c/pids.max") == "50")
        #expect(fake.read("devices/minipod/p/c/devices.deny") == "")
        #expect(fake.read("devices/minipod/p/c/devices.allow") == "")
    }
}

struct CgroupV2HierarchyRdmaUnifiedTests {
    let fake = FakeCgroupTree()

    @Test func unifiedValuesAreWrittenLastSoTheyOverrideFieldsOnAV2HostLayout() throws {
        let cgroup = try fake.v2(["memory.max", "memory.high", "cgroup.max.depth"])
        var r = RuntimeSpec.Resources()
        r.memory = .init(limit: 64 << 20)
        r.unified = ["memory.max": "33554432", "memory.high": "16777216", "cgroup.max.depth": "3"]
        try cgroup.create(resources: r)
        #expect(fake.read("minipod/p/c/memory.max") == "33554432")
        #expect(fake.read("minipod/p/c/memory.high") == "16777216")
        #expect(fake.read("minipod/p/c/cgroup.max.depth") == "3")
    }

    @Test func aMultiLineUnifiedValueIsOneWritePerLineOnAV2HostLayout() throws {
        let cgroup = try fake.v2(["io.max"])
        var r = RuntimeSpec.Resources()
        r.unified = ["io.max": "8:0 rbps=1048576\n8:16 wbps=2097152\n"]
        try cgroup.create(resources: r)
        #expect(fake.read("minipod/p/c/io.max") == "8:16 wbps=2097152")  // each line replaced the file's content
    }

    @Test func aUnifiedFileOfAControllerTheCgroupLacksNamesTheControllerOnAV2HostLayout() throws {
        let cgroup = try fake.v2([])
        try fake.touch(fake.root + "/minipod/p/c/cgroup.controllers", "cpu memory pids\n")
        var r = RuntimeSpec.Resources()
        r.unified = ["rdma.max": "mlx5_1 hca_handle=1"]
        let error = try #require(throws: MinipodError.self) { try cgroup.create(resources: r) }
        #expect(error.description == "linux.resources.unified[\"rdma.max\"]: the rdma controller is not available in this cgroup")
        r.unified = ["memory.nosuch": "1"]  // the controller is there, the file is not
        let missing = try #require(throws: MinipodError.self) { try cgroup.apply(r) }
        #expect(missing.field == "linux.resources.unified[\"memory.nosuch\"]" && missing.description.contains("does not exist"))
    }

    @Test(arguments: ["../cgroup.procs", "memory", "memory.", ".max", "memory/max", "memory max"])
    func aUnifiedNameThatIsNoFileOfTheCgroupIsRefusedOnAV2HostLayout(name: String) throws {
        let cgroup = try fake.v2(["memory.max"])
        var r = RuntimeSpec.Resources()
        r.unified = [name: "1"]
        let error = try #require(throws: MinipodError.self) { try cgroup.create(resources: r) }
        #expect(error.description == "linux.resources.unified: invalid file name \"\(name)\" (want CONTROLLER.PARAMETER, no slashes)")
    }

    @Test func rdmaAndUseHierarchyOnAV2HostLayout() throws {
        let cgroup = try fake.v2(["rdma.max"], controllers: "cpu memory pids rdma")
        var r = RuntimeSpec.Resources()
        r.rdma = ["mlx5_1": .init(hcaHandles: 3, hcaObjects: 10_000)]
        r.memory = RuntimeSpec.Resources.Memory()
        r.memory?.useHierarchy = true  // v2 is always hierarchical: no file, ignored
        try cgroup.create(resources: r)
        #expect(fake.read("minipod/p/c/rdma.max") == "mlx5_1 hca_handle=3 hca_object=10000")
        #expect(fake.read("minipod/p/c/memory.use_hierarchy") == "<missing>")
        #expect(fake.read("minipod/p/cgroup.subtree_control").contains("+rdma"))
    }

    @Test func skippingDevicesAttachesNoProgramOnAV2HostLayout() throws {
        var cgroup = try fake.v2(["pids.max"])
        let recorder = DeviceFilterRecorder()
        recorder.install(on: &cgroup)
        var r = RuntimeSpec.Resources()
        r.pids = .init(limit: 50)
        try cgroup.apply(r, skipDevices: true)
        #expect(fake.read("minipod/p/c/pids.max") == "50")
        #expect(recorder.programs.isEmpty)
        try cgroup.apply(r)
        #expect(recorder.programs.count == 1)
    }
}
