import Foundation
import MinipodOCI
import MinipodSystem
import Testing

/// The container's mount namespace is built in the order a runtime's reviewer checks.
struct MountOrderTests {
    @Test(arguments: SpecKind.allCases)
    func theRootIsMadePrivateBeforeAnythingIsMounted(kind: SpecKind) throws {
        let run = try kind.fixture().run()
        #expect(run.reachedExec, "\(String(describing: run.error))")
        let firstMount = try #require(run.first { $0.mount != nil || $0.isPivotRoot })
        #expect(run.call(at: firstMount) == .mount(.init(source: nil, target: "/", type: nil, flags: [.recursive, .private], data: nil)))
    }

    @Test func rslaveRootfsPropagationMakesTheRootASlaveInstead() throws {
        var fixture = try Fixture.ociDefault()
        fixture.spec.linux?.rootfsPropagation = "rslave"
        let run = fixture.run()
        #expect(run.calls.compactMap(\.mount).first == .init(source: nil, target: "/", type: nil, flags: [.recursive, .slave], data: nil))
    }

    @Test func aBundleRootfsIsBoundOntoItselfRightAfter() throws {
        let fixture = try Fixture.ociDefault()
        let mounts = fixture.run().calls.compactMap(\.mount)
        try #require(mounts.count > 2)
        #expect(mounts[1] == .init(source: fixture.rootfs, target: fixture.rootfs, type: nil, flags: [.bind, .recursive], data: nil))
    }

    @Test func aPodRootfsIsItsOverlayRightAfter() throws {
        let fixture = try Fixture.pod()
        let mounts = fixture.run().calls.compactMap(\.mount)
        let layers = try #require(fixture.spec.annotations?[MinipodAnnotations.overlayRootfs])
        try #require(mounts.count > 2)
        #expect(mounts[1] == .init(source: "overlay", target: fixture.rootfs, type: "overlay", flags: [], data: layers))
    }

    @Test(arguments: SpecKind.allCases)
    func theSpecsMountsFollowInSpecOrderInsideTheRootfs(kind: SpecKind) throws {
        let fixture = try kind.fixture()
        let run = fixture.run()
        let rootfsMount = try #require(run.first { $0.newMount?.target == fixture.rootfs })
        let pivot = try #require(run.first(\.isPivotRoot))
        let destinations = (fixture.spec.mounts ?? []).map(\.destination)
        let firstMountOfEach = destinations.map { destination in run.first { $0.newMount?.target == fixture.rootfs + destination } }
        #expect(!destinations.isEmpty && firstMountOfEach.allSatisfy { $0 != nil }, "\(zip(destinations, firstMountOfEach).filter { $0.1 == nil })")
        let order = firstMountOfEach.compactMap { $0 }
        #expect(order == order.sorted() && Set(order).count == order.count, "mounted in the order \(order)")
        #expect(order.allSatisfy { $0 > rootfsMount && $0 < pivot })
        let outside = run.calls(from: rootfsMount + 1, through: pivot - 1).compactMap(\.mount).filter { !$0.target.hasPrefix(fixture.rootfs + "/") }
        #expect(outside.isEmpty, "mounted outside the rootfs: \(outside)")
    }

    @Test func aSymlinkInTheImageCannotLeadAMountOutOfTheRootfs() throws {
        let fixture = try Fixture.pod()
        try FileManager.default.createDirectory(atPath: fixture.rootfs + "/var", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: fixture.rootfs + "/var/log", withDestinationPath: "../../../../../../../tmp")
        let run = fixture.run()
        let volume = try #require(run.calls.compactMap(\.newMount).first { $0.source?.hasSuffix("/volumes/logs") == true })
        #expect(volume.target == fixture.rootfs + "/tmp/nginx")
    }

    @Test(arguments: SpecKind.allCases)
    func theDefaultDevicesAreBoundAfterTheDevTmpfs(kind: SpecKind) throws {
        let fixture = try kind.fixture()
        let run = fixture.run()
        let dev = fixture.rootfs + "/dev"
        let devTmpfs = try #require(run.first { $0.newMount?.target == dev && $0.newMount?.type == "tmpfs" })
        let deviceBinds = run.all { call in
            guard let m = call.newMount, let source = m.source else { return false }
            return RootfsModel.hostDevices.contains(source) && m.target == dev + source.dropFirst("/dev".count)
        }
        #expect(deviceBinds.count == RootfsModel.defaultDevices.count)
        #expect(deviceBinds.allSatisfy { $0 > devTmpfs })
        let links = run.all { if case .makeSymlink(_, let path) = $0 { path.hasPrefix(dev + "/") } else { false } }
        #expect(!links.isEmpty && links.allSatisfy { $0 > devTmpfs })
    }

    @Test(arguments: SpecKind.allCases)
    func pivotRootComesAfterEveryMountAndBeforeTheMaskedAndReadOnlyPaths(kind: SpecKind) throws {
        let fixture = try kind.fixture()
        let run = fixture.run()
        let pivot = try #require(run.first(\.isPivotRoot))
        let intoRootfs = run.all { $0.mount?.target.hasPrefix(fixture.rootfs) == true }
        #expect(!intoRootfs.isEmpty && intoRootfs.allSatisfy { $0 < pivot })
        let protected = Set((fixture.spec.linux?.maskedPaths ?? []) + (fixture.spec.linux?.readonlyPaths ?? []))
        let protectedMounts = run.all { $0.mount.map { protected.contains($0.target) } ?? false }
        #expect(!protectedMounts.isEmpty && protectedMounts.allSatisfy { $0 > pivot })
        // The host's root is detached at once: nothing of it stays reachable.
        #expect(
            run.calls(from: pivot - 1, through: pivot + 3) == [
                .chdir(fixture.rootfs), .pivotRoot(newRoot: ".", putOld: "."),
                .mount(.init(source: nil, target: ".", type: nil, flags: [.recursive, .slave], data: nil)),
                .unmount(".", detach: true), .chdir("/"),
            ])
    }

    @Test func maskedPathsHideWhatExistsAndSkipWhatDoesNot() throws {
        let run = try Fixture.ociDefault().run()
        let mounts = run.calls.compactMap(\.newMount)
        #expect(mounts.contains(.init(source: "/dev/null", target: "/proc/kcore", type: nil, flags: [.bind], data: nil)))
        #expect(mounts.contains(.init(source: "tmpfs", target: "/proc/acpi", type: "tmpfs", flags: [.readOnly], data: "size=0")))
        #expect(!mounts.contains { $0.target == "/proc/asound" }, "the fake's /proc has no asound")
        let procSys = run.calls.compactMap(\.remount).filter { $0.target == "/proc/sys" }
        #expect(
            procSys == [
                .init(
                    source: nil, target: "/proc/sys", type: nil,
                    flags: [.bind, .remount, .readOnly, .recursive, .noSuid, .noDev, .noExec], data: nil)
            ])
    }

    @Test func withoutAMountNamespaceNothingIsMountedTheRootIsOnlyChanged() throws {
        var fixture = try Fixture.ociDefault()
        fixture.spec.linux?.namespaces?.removeAll { $0.type == "mount" }
        let run = fixture.run()
        #expect(run.reachedExec, "\(String(describing: run.error))")
        #expect(run.calls.compactMap(\.mount).isEmpty && run.first(\.isPivotRoot) == nil)
        let chroot = try #require(run.first { $0 == .chroot(".") })
        #expect(run.call(at: chroot - 1) == .chdir(fixture.rootfs) && run.call(at: chroot + 1) == .chdir("/"))
    }
}

/// A subPath is bound from a descriptor resolved inside its volume, never from its path.
struct SubPathMountTests {
    @Test func aSubPathIsOpenedInsideItsVolumeAndBoundFromTheDescriptor() throws {
        var fixture = try Fixture.pod()
        let logs = try #require(fixture.spec.mounts?.first { $0.destination == "/var/log/nginx" }?.source)
        fixture.spec.mounts = fixture.spec.mounts?.map { m in
            var m = m
            if m.destination == "/var/log/nginx" { m.source = logs + "/nginx/current" }
            return m
        }
        fixture.spec.annotations?[MinipodAnnotations.subPathVolume("/var/log/nginx")] = logs
        fixture.hostDirectories.append(logs + "/nginx/current")
        let run = fixture.run()
        #expect(run.reachedExec, "\(String(describing: run.error))")
        let open = try #require(run.first { $0 == .openBeneath("nginx/current", base: logs) })
        let bind = try #require(run.first { $0.newMount?.target == fixture.rootfs + "/var/log/nginx" })
        #expect(open < bind)
        #expect(run.call(at: bind)?.newMount?.source?.hasPrefix("/proc/self/fd/") == true, "\(String(describing: run.call(at: bind)))")
        #expect(!run.calls.contains { $0.newMount?.source == logs + "/nginx/current" }, "the path itself is never mounted")
    }

    @Test func aSubPathThatCannotBeOpenedInsideStopsTheSetupNamingTheMount() throws {
        var fixture = try Fixture.pod()
        let logs = try #require(fixture.spec.mounts?.first { $0.destination == "/var/log/nginx" }?.source)
        fixture.spec.mounts = fixture.spec.mounts?.map { m in
            var m = m
            if m.destination == "/var/log/nginx" { m.source = logs + "/escape" }
            return m
        }
        fixture.spec.annotations?[MinipodAnnotations.subPathVolume("/var/log/nginx")] = logs
        let run = fixture.run { $0.fail(with: EXDEV) { $0 == .openBeneath("escape", base: logs) } }
        #expect(!run.reachedExec)
        #expect("\(String(describing: run.error))".contains("(/var/log/nginx)"), "\(String(describing: run.error))")
        #expect(!run.calls.contains { $0.newMount?.target == fixture.rootfs + "/var/log/nginx" })
    }
}

struct WorkingDirectoryTests {
    @Test func aMissingWorkingDirectoryIsMadeInsideTheRootfsBeforePivotRoot() throws {
        var fixture = try Fixture.pod()
        fixture.spec.process?.cwd = "/srv/app"
        let run = fixture.run()
        #expect(run.reachedExec, "\(String(describing: run.error))")
        let made = try #require(run.first { $0 == .makeDirectories(fixture.rootfs + "//srv/app") })
        let pivot = try #require(run.first(\.isPivotRoot))
        #expect(made < pivot)
        #expect(run.calls.contains(.chdir("/srv/app")))
    }
}
