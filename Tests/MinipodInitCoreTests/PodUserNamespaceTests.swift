import Glibc
import MinipodInitCore
import MinipodOCI
import MinipodSystem
import Testing

/// A pod with `hostUsers: false`: its user namespace was made and mapped with the sandbox,
/// before any container (the spawn joins it and becomes its root); init attaches the rootfs
/// the launcher built on ID-mapped layers, before any other mount and before pivot_root.
struct PodUserNamespaceTests {
    @Test func theIDMappedRootfsIsAttachedRightAfterTheRootTurnsPrivate() throws {
        let fixture = try Fixture.podInUserNamespace()
        let run = fixture.run { $0.lockedMountFlags = UserNamespaceTests.locked }
        #expect(run.reachedExec, "\(String(describing: run.error))")
        let privateRoot = try #require(run.first { $0.mount != nil })
        #expect(run.call(at: privateRoot)?.mount == .init(source: nil, target: "/", type: nil, flags: [.recursive, .private], data: nil))
        let attach = try #require(run.first { $0 == .moveMount(5, target: fixture.rootfs) })
        let nextMount = try #require(run.first { $0.mount != nil && $0.mount?.target != "/" })
        #expect(privateRoot < attach && attach < nextMount)
        #expect(run.first { $0.newMount?.type == "overlay" } == nil, "the layers are mounted by the launcher, ID-mapped, not by init")
    }

    @Test func everySpecMountAndThePivotComeAfterTheAttach() throws {
        let fixture = try Fixture.podInUserNamespace()
        let run = fixture.run { $0.lockedMountFlags = UserNamespaceTests.locked }
        let attach = try #require(run.first { $0 == .moveMount(5, target: fixture.rootfs) })
        let pivot = try #require(run.first(\.isPivotRoot))
        let specMounts = run.all { $0.newMount?.target.hasPrefix(fixture.rootfs + "/") == true }
        #expect(!specMounts.isEmpty && specMounts.allSatisfy { $0 > attach && $0 < pivot })
    }

    @Test func initLeavesTheCgroupToTheLauncherAndRemountsKeepTheLockedFlags() throws {
        let fixture = try Fixture.podInUserNamespace()
        let run = fixture.run { $0.lockedMountFlags = UserNamespaceTests.locked }
        #expect(run.first { if case .joinCgroup = $0 { return true } else { return false } } == nil)
        let remounts = run.calls.compactMap(\.remount)
        #expect(!remounts.isEmpty && remounts.allSatisfy { $0.flags.isSuperset(of: UserNamespaceTests.locked) }, "\(remounts)")
    }

    @Test func aRefusedAttachStopsTheSetupBeforeAnythingIsMountedInTheRootfs() throws {
        let fixture = try Fixture.podInUserNamespace()
        let run = fixture.run { $0.fail(with: EPERM) { if case .moveMount = $0 { return true } else { return false } } }
        let error = try #require(run.error as? MinipodError)
        #expect(error.message.contains("attach the rootfs") && error.errno == EPERM)
        #expect(run.first { $0.newMount?.target.hasPrefix(fixture.rootfs) == true } == nil)
        #expect(run.first(\.isPivotRoot) == nil)
    }
}
