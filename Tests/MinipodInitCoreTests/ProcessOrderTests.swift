import CCap
import MinipodOCI
import MinipodSystem
import Testing

/// Namespaces, hostname and sysctls around the mounts, then the process's identity and the exec.
struct ProcessOrderTests {
    @Test func theCgroupIsJoinedThenTheNamespacesMadeBeforeAnyMount() throws {
        let run = try Fixture.ociDefault().run()
        #expect(
            Array(run.calls.prefix(5)) == [
                .joinCgroup(["/sys/fs/cgroup/minipod/test/cgroup.procs"]),
                // pid and mount came with the spawn; the cgroup namespace last, rooted at the joined cgroup.
                .unshare([.net, .ipc, .uts]),
                // A new network namespace gets lo up (podman pods with --network none rely on it, as on runc).
                .setLoopbackUp,
                .unshare(.cgroup),
                .mount(.init(source: nil, target: "/", type: nil, flags: [.recursive, .private], data: nil)),
            ])
    }

    @Test func hostnameAndSysctlsAreSetBeforeProcSysTurnsReadOnly() throws {
        var fixture = try Fixture.ociDefault()
        fixture.spec.linux?.sysctl = ["net.ipv4.ip_forward": "1", "kernel.shm_rmid_forced": "1"]
        let run = fixture.run()
        let pivot = try #require(run.first(\.isPivotRoot))
        let readOnlyProcSys = try #require(run.first { $0.newMount?.target == "/proc/sys" })
        let hostname = try #require(run.first { $0 == .setHostname("minipod") })
        let sysctls = run.all { if case .writeKernelFile(let path, "1") = $0 { path.hasPrefix("/proc/sys/") } else { false } }
        #expect(run.call(at: sysctls.first ?? -1) == .writeKernelFile("/proc/sys/kernel/shm_rmid_forced", "1"))
        #expect(sysctls.count == 2)
        #expect(hostname < readOnlyProcSys)
        // After pivot_root, so /proc/sys is the container's /proc.
        #expect(sysctls.allSatisfy { $0 > pivot && $0 < readOnlyProcSys })
    }

    @Test func aJoinedUTSNamespaceKeepsItsHostname() throws {
        var fixture = try Fixture.ociDefault()
        let uts = try #require(fixture.spec.linux?.namespaces?.firstIndex { $0.type == "uts" })
        fixture.spec.linux?.namespaces?[uts].path = "/run/minipod/pods/default_lab/ns/uts"
        #expect(fixture.spec.hostname == "minipod")
        let run = fixture.run()
        #expect(run.reachedExec, "\(String(describing: run.error))")
        #expect(run.first { if case .setHostname = $0 { true } else { false } } == nil)
    }

    @Test func withNoNewPrivilegesSeccompIsLoadedAfterTheCapabilitiesAndNoNewPrivsJustBeforeExecve() throws {
        let fixture = try Fixture.ociDefault()
        #expect(fixture.spec.process?.noNewPrivileges == true)
        let run = fixture.run()
        let seccomp = try #require(run.first(\.isLoadSeccomp))
        let capabilities = try #require(run.first(\.isSetCapabilities))
        let noNewPrivileges = try #require(run.first { $0 == .setNoNewPrivileges })
        #expect(capabilities < seccomp && noNewPrivileges < seccomp)
        #expect(run.reachedExec && seccomp == run.calls.count - 2, "only execve follows the filter")
    }

    @Test func withNoNewPrivilegesFromAPodTheFilterIsAlsoLast() throws {
        let run = try Fixture.pod { $0.noNewPrivileges = true }.run()
        let seccomp = try #require(run.first(\.isLoadSeccomp))
        let noNewPrivileges = try #require(run.first { $0 == .setNoNewPrivileges })
        #expect(noNewPrivileges < seccomp && seccomp == run.calls.count - 2)
    }

    @Test func withoutNoNewPrivilegesSeccompIsLoadedBeforeTheBoundingSetIsDropped() throws {
        let fixture = try Fixture.pod()
        #expect(fixture.spec.process?.noNewPrivileges == false)
        let run = fixture.run()
        let seccomp = try #require(run.first(\.isLoadSeccomp))
        let firstDrop = try #require(run.first(\.isDropBoundingCapability))
        #expect(seccomp < firstDrop, "the kernel takes a filter without no_new_privs only from CAP_SYS_ADMIN")
        #expect(run.first { $0 == .setNoNewPrivileges } == nil)
        #expect(run.reachedExec)
    }

    @Test func theBoundingSetGoesThenGroupsGroupAndUserThenTheCapabilities() throws {
        let run = try Fixture.pod {
            $0.user.uid = 101
            $0.user.gid = 102
        }.run()
        let steps = [
            run.last(\.isDropBoundingCapability), run.first { $0 == .setKeepCapabilities(true) },
            run.first { $0 == .setGroups([]) }, run.first { $0 == .setGroupID(102) }, run.first { $0 == .setUserID(101) },
            run.first { $0 == .setKeepCapabilities(false) }, run.first(\.isSetCapabilities),
        ]
        let found = steps.compactMap { $0 }
        #expect(found.count == steps.count, "\(steps)")
        #expect(found == found.sorted() && Set(found).count == found.count, "\(steps)")
    }

    @Test func theBoundingSetKeepsExactlyTheSpecsCapabilities() throws {
        let fixture = try Fixture.pod()
        let run = fixture.run()
        let kept = try (fixture.spec.process?.capabilities?.bounding ?? []).map { name in
            var value: cap_value_t = 0
            try #require(cap_from_name(name, &value) == 0, "\(name)")
            return value
        }
        let dropped = run.calls.compactMap { if case .dropBoundingCapability(let cap) = $0 { cap } else { nil } }
        #expect(!kept.isEmpty)
        #expect(Set(dropped).isDisjoint(with: kept))
        #expect(Set(dropped).union(kept) == Set(0...40), "cap_last_cap is 40 in the fake")
    }

    @Test(arguments: SpecKind.allCases)
    func execveIsTheVeryLastCall(kind: SpecKind) throws {
        let fixture = try kind.fixture()
        let run = fixture.run()
        #expect(run.reachedExec, "\(String(describing: run.error))")
        #expect(
            run.calls.last
                == .execute(
                    kind.executable, arguments: fixture.spec.process?.args ?? [],
                    environment: fixture.spec.process?.env ?? []))
        #expect(run.all(\.isExecute).count == 1)
    }
}
