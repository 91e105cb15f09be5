import MinipodCgroups
import MinipodOCI
import MinipodSystem
import Testing

@testable import MinipodRuntime

/// Who joins and who creates each namespace of a spec, and the id maps a user namespace gets.
struct NamespacePlanTests {
    func spec(_ namespaces: [RuntimeSpec.Namespace], uid: [RuntimeSpec.IDMapping]? = nil, gid: [RuntimeSpec.IDMapping]? = nil) -> RuntimeSpec {
        var linux = RuntimeSpec.Linux()
        linux.namespaces = namespaces
        linux.uidMappings = uid
        linux.gidMappings = gid
        var spec = RuntimeSpec()
        spec.linux = linux
        return spec
    }

    @Test func joinsComeUserFirstMountLastAndTheSpawnCreatesOnlyUserMountAndPid() throws {
        let plan = try NamespacePlan(
            spec: spec([
                .init(type: "mount", path: "/proc/9/ns/mnt"), .init(type: "network", path: "/run/netns/a"),
                .init(type: "user", path: "/proc/9/ns/user"), .init(type: "pid"), .init(type: "uts"), .init(type: "cgroup"),
            ]), container: "c")
        #expect(plan.joins.map(\.type) == [.user, .net, .mount])
        #expect(plan.joins.map(\.path) == ["/proc/9/ns/user", "/run/netns/a", "/proc/9/ns/mnt"])
        #expect(plan.spawnCreates == [.pid])
        #expect(plan.initCreates == [.uts, .cgroup])
        #expect(plan.parentJoinsCgroup, "a joined mount namespace may not show the host's cgroup files")
    }

    @Test func aNewUserNamespaceGetsItsMapsAndTheParentMovesItIntoTheCgroup() throws {
        let plan = try NamespacePlan(
            spec: spec(
                [.init(type: "user"), .init(type: "mount"), .init(type: "pid"), .init(type: "network")],
                uid: [.init(containerID: 0, hostID: 100000, size: 65536), .init(containerID: 65536, hostID: 1, size: 1)],
                gid: [.init(containerID: 0, hostID: 100000, size: 65536)]), container: "c")
        #expect(plan.spawnCreates == [.user, .mount, .pid])
        #expect(plan.initCreates == [.net])
        #expect(plan.uidMap == "0 100000 65536\n65536 1 1\n")
        #expect(plan.gidMap == "0 100000 65536\n")
        #expect(plan.parentJoinsCgroup)
    }

    @Test func aPlainContainerJoinsItsCgroupItself() throws {
        let plan = try NamespacePlan(
            spec: spec([.init(type: "mount"), .init(type: "pid"), .init(type: "network", path: "/run/netns/p")]), container: "c")
        #expect(!plan.parentJoinsCgroup)
        #expect(plan.uidMap == nil)
    }

    @Test func mistakesAreRefusedNamingTheField() throws {
        func problem(_ s: RuntimeSpec) -> MinipodError? {
            do {
                _ = try NamespacePlan(spec: s, container: "c")
                return nil
            } catch { return error as? MinipodError }
        }
        let map = [RuntimeSpec.IDMapping(containerID: 0, hostID: 1000, size: 10)]
        #expect(problem(spec([.init(type: "user")]))?.field == "linux.uidMappings")
        #expect(problem(spec([.init(type: "user")], uid: map))?.field == "linux.gidMappings")
        #expect(problem(spec([.init(type: "pid")], uid: map, gid: map))?.message.contains("add {\"type\": \"user\"}") == true)
        #expect(problem(spec([.init(type: "user")], uid: [.init(containerID: 0, hostID: 1, size: 0)], gid: map))?.field == "linux.uidMappings[0]")
        #expect(problem(spec([.init(type: "pid"), .init(type: "pid")]))?.field == "linux.namespaces[1]")
        #expect(problem(spec([.init(type: "pidd")]))?.message.contains("unknown namespace type \"pidd\"") == true)
        var named = spec([.init(type: "mount")])
        named.hostname = "web"
        #expect(problem(named)?.field == "hostname")
        named.linux?.namespaces?.append(.init(type: "uts", path: "/run/ns/uts"))
        #expect(problem(named) == nil, "a joined UTS namespace is one (pods join theirs)")
        var offsets = spec([.init(type: "mount")])
        offsets.linux?.timeOffsets = ["monotonic": .init(secs: 10)]
        #expect(problem(offsets)?.field == "linux.timeOffsets")
        offsets.linux?.namespaces?.append(.init(type: "time"))
        #expect(problem(offsets) == nil)
        offsets.linux?.timeOffsets = ["realtime": .init(secs: 10)]
        #expect(problem(offsets)?.field == "linux.timeOffsets.realtime")
    }

    @Test func theContainersRootMapsToTheHostIdsOfTheMappingThatHoldsZero() {
        var linux = RuntimeSpec.Linux()
        linux.namespaces = [.init(type: "user")]
        linux.uidMappings = [.init(containerID: 1, hostID: 5000, size: 10), .init(containerID: 0, hostID: 1000, size: 1)]
        linux.gidMappings = [.init(containerID: 0, hostID: 2000, size: 100)]
        #expect(linux.hostIDsOfContainerRoot?.uid == 1000)
        #expect(linux.hostIDsOfContainerRoot?.gid == 2000)
        linux.namespaces = [.init(type: "user", path: "/proc/1/ns/user")]
        #expect(linux.hostIDsOfContainerRoot == nil, "a joined user namespace is not ours to map")
    }

    @Test func aJoinedUserNamespaceMayCarryItsMapsAndTheLauncherJoinsTheCgroup() throws {
        let mapping = [RuntimeSpec.IDMapping(containerID: 0, hostID: 0x7000_0000, size: 65536)]
        let plan = try NamespacePlan(
            spec: spec(
                [
                    .init(type: "user", path: "/run/pod/ns/user"), .init(type: "network", path: "/run/netns/p"), .init(type: "mount"),
                    .init(type: "pid"),
                ],
                uid: mapping, gid: mapping), container: "c")
        #expect(plan.joins.map(\.type) == [.user, .net])
        #expect(plan.spawnCreates == [.mount, .pid])
        #expect(plan.uidMap == nil && plan.gidMap == nil)
        #expect(plan.joinedUserNamespace == "/run/pod/ns/user")
        #expect(plan.parentJoinsCgroup, "host cgroup files are not the pod root's to write")
    }
}
