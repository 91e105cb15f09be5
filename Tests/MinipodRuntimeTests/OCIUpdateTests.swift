import Foundation
import MinipodOCI
import MinipodSystem
import Testing

@testable import MinipodRuntime

/// The pure parts of `minipod oci update`: sizes and flags as runc parses
/// them, the --resources file, and how a change merges into the saved resources.
struct OCIUpdateTests {
    @Test(arguments: [
        ("64m", Int64(64 << 20)), ("64M", 64 << 20), ("64MiB", 64 << 20), ("64mb", 64 << 20), ("1.5g", 1_610_612_736),
        ("100 kb", 102_400), ("512", 512), ("512b", 512), ("2t", 2 << 40), ("1p", 1 << 50), ("0", 0),
    ])
    func sizesParseAsGoUnitsRAMInBytes(text: String, bytes: Int64) {
        #expect(RAMSize.bytes(text) == bytes)
    }

    @Test(arguments: ["", "12x", "1.5.2", "1.", ".5", "m", "-5", "64mm", "64 m b", "64  m", "１２", "99999999999p"])
    func sizesGoUnitsRefusesAreRefused(text: String) {
        #expect(RAMSize.bytes(text) == nil)
    }

    @Test func flagsSetTheFieldsTheyName() throws {
        var flags = OCIUpdateFlags()
        flags.memory = "64m"
        flags.memorySwap = "-1"
        flags.memoryReservation = "32m"
        flags.cpuShares = "512"
        flags.cpuQuota = "-1"
        flags.cpuPeriod = "200000"
        flags.cpuIdle = "0"
        flags.cpusetCpus = "0-1"
        flags.pidsLimit = "50"
        flags.blkioWeight = "300"
        let r = try flags.apply(to: RuntimeSpec.Resources())
        #expect(r.memory?.limit == 64 << 20 && r.memory?.swap == -1 && r.memory?.reservation == 32 << 20)
        #expect(r.cpu?.shares == 512 && r.cpu?.quota == -1 && r.cpu?.period == 200_000 && r.cpu?.idle == 0)
        #expect(r.cpu?.cpus == "0-1" && r.cpu?.mems == nil)
        #expect(r.pids?.limit == 50)
        #expect(r.blockIO?.weight == 300)
        #expect(try OCIUpdateFlags().apply(to: RuntimeSpec.Resources()) == RuntimeSpec.Resources(), "no flag, no field")
    }

    @Test func flagsOverrideTheResourcesFileFieldByField() throws {
        let file = try OCIResourceUpdate.decode(
            Array(#"{"memory":{"limit":33554432,"reservation":1048576},"pids":{"limit":77}}"#.utf8), source: "r.json")
        var flags = OCIUpdateFlags()
        flags.memory = "128m"
        let r = try flags.apply(to: file)
        #expect(r.memory?.limit == 128 << 20)
        #expect(r.memory?.reservation == 1 << 20)
        #expect(r.pids?.limit == 77)
    }

    @Test(arguments: [
        (\OCIUpdateFlags.memory, "12x", "invalid value for --memory: invalid size: '12x'"),
        (\OCIUpdateFlags.memorySwap, "-2", "invalid value for --memory-swap: invalid size: '-2'"),
        (\OCIUpdateFlags.cpuShares, "-1", "invalid value for --cpu-share: \"-1\" (want a whole number from 0 to 18446744073709551615)"),
        (
            \OCIUpdateFlags.pidsLimit, "abc",
            "invalid value for --pids-limit: \"abc\" (want a whole number from -9223372036854775808 to 9223372036854775807)"
        ),
        (\OCIUpdateFlags.blkioWeight, "70000", "invalid value for --blkio-weight: \"70000\" (want a whole number from 0 to 65535)"),
    ])
    func aBadFlagValueNamesTheFlag(flag: WritableKeyPath<OCIUpdateFlags, String?>, value: String, message: String) throws {
        var flags = OCIUpdateFlags()
        flags[keyPath: flag] = value
        let error = try #require(throws: MinipodError.self) { try flags.apply(to: RuntimeSpec.Resources()) }
        #expect(error.description == message)
    }

    @Test func theResourcesFileDecodesEveryFieldAndNamesABadOne() throws {
        let json = #"""
            {"memory":{"limit":1,"swap":2,"useHierarchy":true,"checkBeforeUpdate":true},"cpu":{"shares":3,"cpus":"0","idle":1},
             "blockIO":{"weight":100},"pids":{"limit":4},"hugepageLimits":[{"pageSize":"2MB","limit":5}],
             "rdma":{"mlx5_1":{"hcaHandles":6,"hcaObjects":7}},"unified":{"memory.high":"8"},"unknownField":true}
            """#
        let r = try OCIResourceUpdate.decode(Array(json.utf8), source: "-")
        #expect(r.memory?.limit == 1 && r.memory?.swap == 2 && r.memory?.useHierarchy == true && r.memory?.checkBeforeUpdate == true)
        #expect(r.cpu?.shares == 3 && r.cpu?.cpus == "0" && r.cpu?.idle == 1)
        #expect(r.blockIO?.weight == 100 && r.pids?.limit == 4 && r.hugepageLimits?.first?.limit == 5)
        #expect(r.rdma == ["mlx5_1": .init(hcaHandles: 6, hcaObjects: 7)])
        #expect(r.unified == ["memory.high": "8"])

        let error = try #require(throws: MinipodError.self) {
            try OCIResourceUpdate.decode(Array(#"{"cpu":{"quota":"x"}}"#.utf8), source: "r.json")
        }
        #expect(error.description.hasPrefix("cannot parse --resources r.json: cpu.quota: "), "\(error)")
        #expect(throws: MinipodError.self) { try OCIResourceUpdate.decode(Array("not json".utf8), source: "r.json") }
    }

    /// runtime-spec 1.2 made pids.limit optional: an empty pids object changes nothing.
    @Test func anEmptyPidsObjectKeepsTheLimit() throws {
        let change = try OCIResourceUpdate.decode(Array(#"{"pids":{},"memory":{"limit":5}}"#.utf8), source: "-")
        #expect(change.pids != nil && change.pids?.limit == nil)
        var current = RuntimeSpec.Resources()
        current.pids = .init(limit: 100)
        let r = OCIResourceUpdate.merge(change, into: current)
        #expect(r.pids?.limit == 100 && r.memory?.limit == 5)
    }

    @Test func aChangeReplacesTheFieldsItSetsAndKeepsTheRest() {
        var current = RuntimeSpec.Resources()
        current.memory = .init(limit: 64 << 20)
        current.memory?.swap = 128 << 20
        current.memory?.swappiness = 10
        current.cpu = RuntimeSpec.Resources.CPU()
        current.cpu?.quota = 50_000
        current.cpu?.period = 200_000
        current.cpu?.cpus = "0"
        current.pids = .init(limit: 100)
        current.devices = [.init(allow: false, access: "rwm")]
        current.hugepageLimits = [.init(pageSize: "2MB", limit: 1), .init(pageSize: "1GB", limit: 2)]
        current.unified = ["memory.high": "1", "pids.max": "9"]

        var change = RuntimeSpec.Resources()
        change.memory = .init(limit: 256 << 20)
        change.memory?.swappiness = 0  // a real value, not "unset"
        change.cpu = RuntimeSpec.Resources.CPU()
        change.cpu?.quota = 25_000
        change.cpu?.cpus = ""  // unchanged, as runc's help says
        change.pids = .init(limit: 0)  // unchanged
        change.devices = [.init(allow: true)]  // update never changes device rules
        change.hugepageLimits = [.init(pageSize: "1GB", limit: 3)]
        change.unified = ["memory.high": "2"]

        let r = OCIResourceUpdate.merge(change, into: current)
        #expect(r.memory?.limit == 256 << 20 && r.memory?.swap == 128 << 20 && r.memory?.swappiness == 0)
        #expect(r.cpu?.quota == 25_000 && r.cpu?.period == 200_000 && r.cpu?.cpus == "0")
        #expect(r.pids?.limit == 100)
        #expect(r.devices == current.devices)
        #expect(r.hugepageLimits == [.init(pageSize: "2MB", limit: 1), .init(pageSize: "1GB", limit: 3)])
        #expect(r.unified == ["memory.high": "2", "pids.max": "9"])
        #expect(OCIResourceUpdate.merge(RuntimeSpec.Resources(), into: current) == current)
    }

    @Test func unlimitedMemoryWithoutASwapValueMakesSwapUnlimitedToo() {
        var current = RuntimeSpec.Resources()
        current.memory = .init(limit: 64 << 20)
        current.memory?.swap = 128 << 20
        var change = RuntimeSpec.Resources()
        change.memory = .init(limit: -1)
        #expect(OCIResourceUpdate.merge(change, into: current).memory?.swap == -1)
        change.memory?.swap = 512 << 20
        #expect(OCIResourceUpdate.merge(change, into: current).memory?.swap == 512 << 20)
    }

    @Test func aStoppedContainerIsRefusedAndTheSavedResourcesAreWhatExecReads() throws {
        let root = NSTemporaryDirectory() + "oci-update-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let runtime = OCIRuntime(root: root)
        try runtime.store.reserve("c1")
        try #"{"ociVersion":"1.2.0","root":{"path":"/r"},"linux":{"resources":{"pids":{"limit":10}}}}"#
            .write(toFile: runtime.store.configPath("c1"), atomically: false, encoding: .utf8)
        var record = OCIContainerRecord(
            ociVersion: "1.2.0", id: "c1", pid: Int32.max - 1, pidStartTime: 7, bundle: "/b", rootfs: "/r",
            created: "2026-01-01T00:00:00.000Z", cgroupPath: "/minipod-test/c1", annotations: nil)
        try runtime.store.save(record)
        #expect(try runtime.savedSpec("c1").linux?.resources?.pids?.limit == 10)

        var change = RuntimeSpec.Resources()
        change.pids = .init(limit: 50)
        let error = try #require(throws: MinipodError.self) { try runtime.update("c1", change) }
        #expect(error.description == "container not running")
        #expect(try runtime.store.load("c1").resources == nil)

        record.resources = change
        try runtime.store.save(record)
        #expect(try runtime.store.load("c1") == record)
        #expect(try runtime.savedSpec("c1").linux?.resources?.pids?.limit == 50)
        let missing = try #require(throws: MinipodError.self) { try runtime.update("nosuch", change) }
        #expect(missing.code == .notFound && missing.description.contains("container does not exist"))
    }
}
