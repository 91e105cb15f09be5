import Foundation
import MinipodRuntime
import Testing

final class IDRangeTests {
    private var made: [String] = []

    deinit { made.forEach { try? FileManager.default.removeItem(atPath: $0) } }

    func temporaryDirectory() -> String {
        let dir = NSTemporaryDirectory() + "idranges-\(UUID().uuidString)"
        made.append(dir)
        return dir
    }

    @Test func theDefaultPoolLiesWhereSystemdLeavesIDsUnused() {
        let pool = IDRangePool.default
        #expect(pool.range(0) == IDRange(base: 0x7000_0000, size: 65536))
        let last = pool.range(pool.count - 1)
        // Below systemd's foreign range (0x7FFE0000) and far from the signed-uid_t trouble at 2^31.
        #expect(UInt64(last.base) + UInt64(last.size) <= 0x7FFE_0000)
        #expect(pool.range(0).base >= 65536)
    }

    @Test func theLowestFreeBlockIsChosenAndBlocksNeverOverlap() {
        let pool = IDRangePool(first: 65536, count: 3)
        #expect(pool.firstFree(taken: []) == IDRange(base: 65536))
        #expect(pool.firstFree(taken: [65536]) == IDRange(base: 131072))
        #expect(pool.firstFree(taken: [131072]) == IDRange(base: 65536))
        #expect(pool.firstFree(taken: [65536, 131072, 196608]) == nil)
        let ranges = (0..<pool.count).map(pool.range)
        for (a, b) in zip(ranges, ranges.dropFirst()) { #expect(a.base + a.size == b.base) }
    }

    @Test func onlyBasesOnThePoolsGridAreItsBlocks() {
        let pool = IDRangePool(first: 65536, count: 2)
        #expect(pool.block(ofBase: 65536) == 0)
        #expect(pool.block(ofBase: 131072) == 1)
        #expect(pool.block(ofBase: 196608) == nil)
        #expect(pool.block(ofBase: 65537) == nil)
        #expect(pool.block(ofBase: 0) == nil)
    }

    @Test func mapLinesAndHostIDsFollowTheBlock() {
        let range = IDRange(base: 0x7001_0000)
        #expect(range.mapLine == "0 1879113728 65536\n")
        #expect(range.hostID(of: 0) == 0x7001_0000)
        #expect(range.hostID(of: 101) == 0x7001_0065)
        #expect(range.hostID(of: 65536) == nil)
    }

    @Test func theOverlayOptionsSpecGeneratorWritesGiveTheLayersUpperMostFirst() throws {
        let layers = try IDMappedRootfs.layers(fromOverlayOptions: "lowerdir=/l/b:/l/a,upperdir=/c/upper,workdir=/c/work")
        #expect(layers == IDMappedRootfs.Layers(lower: ["/l/b", "/l/a"], upper: "/c/upper", work: "/c/work"))
        #expect(throws: Error.self) { try IDMappedRootfs.layers(fromOverlayOptions: "lowerdir=/l/a,upperdir=/c/upper") }
    }

    @Test func leasesAreFilesByBaseHoldingThePodsUID() throws {
        let dir = temporaryDirectory()
        let leases = IDRangeLeases(directory: dir, pool: IDRangePool(first: 65536, count: 3))
        let a = try leases.allocate(owner: "uid-a")
        let b = try leases.allocate(owner: "uid-b")
        #expect(a.base == 65536 && b.base == 131072)
        #expect(try String(contentsOfFile: dir + "/65536", encoding: .utf8) == "uid-a")
        // Asking again (a retry, a new supervisor) gives the pod the block it holds.
        #expect(try leases.allocate(owner: "uid-a") == a)
        #expect(leases.leases() == [a: "uid-a", b: "uid-b"])
        try leases.release(owner: "uid-a")
        #expect(!FileManager.default.fileExists(atPath: dir + "/65536"))
        try leases.release(owner: "uid-a")  // nothing left: not an error
        // The freed block goes to the next pod.
        #expect(try leases.allocate(owner: "uid-c") == a)
    }

    @Test func aFullPoolIsRefusedNamingHostUsers() throws {
        let leases = IDRangeLeases(directory: temporaryDirectory(), pool: IDRangePool(first: 65536, count: 1))
        _ = try leases.allocate(owner: "uid-a")
        do {
            _ = try leases.allocate(owner: "uid-b")
            Issue.record("a second pod got a block from a pool of one")
        } catch {
            #expect("\(error)".contains("spec.hostUsers"))
            #expect("\(error)".contains("taken"))
        }
    }

    @Test func filesThatAreNotLeasesAreIgnored() throws {
        let dir = temporaryDirectory()
        let leases = IDRangeLeases(directory: dir, pool: IDRangePool(first: 65536, count: 2))
        _ = try leases.allocate(owner: "uid-a")
        try "x".write(toFile: dir + "/65537", atomically: true, encoding: .utf8)
        try "x".write(toFile: dir + "/notes", atomically: true, encoding: .utf8)
        #expect(leases.leases().count == 1)
        #expect(try leases.allocate(owner: "uid-b").base == 131072)
    }
}
