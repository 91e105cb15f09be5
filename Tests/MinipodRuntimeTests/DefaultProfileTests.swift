import Foundation
import MinipodOCI
import Testing

@testable import MinipodRuntime

struct DefaultProfileTests {
    @Test func hasContainerdsFourteenCapabilities() {
        #expect(DefaultProfile.capabilities.count == 14)
        #expect(!DefaultProfile.capabilities.contains("CAP_SYS_ADMIN"))
        #expect(DefaultProfile.capabilities.contains("CAP_NET_BIND_SERVICE"))
    }

    /// Docker's allow-list: what is not listed is EPERM; capability-bound calls follow the capabilities.
    @Test func seccompAllowsDockersListAndFollowsCapabilities() throws {
        let profile = DefaultProfile.seccomp()
        #expect(profile.defaultAction == "SCMP_ACT_ERRNO" && profile.defaultErrnoRet == 1)
        let allowed = Set((profile.syscalls ?? []).filter { $0.action == "SCMP_ACT_ALLOW" && $0.args == nil }.flatMap(\.names))
        for name in ["read", "execve", "openat", "clone3", "io_uring_setup", "chroot"] where name != "clone3" {
            #expect(allowed.contains(name), "\(name) should be allowed")
        }
        for name in ["init_module", "kexec_load", "keyctl", "add_key", "mount", "unshare", "setns", "bpf", "reboot", "clone"] {
            #expect(!allowed.contains(name), "\(name) should be refused")
        }
        #expect(profile.syscalls?.contains { $0.names == ["clone3"] && $0.action == "SCMP_ACT_ERRNO" && $0.errnoRet == 38 } == true)
        let clone = try #require(profile.syscalls?.first { $0.names == ["clone"] })
        #expect(clone.args == [.init(index: 0, value: 0x7E02_0000, valueTwo: 0, op: "SCMP_CMP_MASKED_EQ")])
        #expect(profile.syscalls?.contains { $0.names == ["socket"] && $0.args?.first?.op == "SCMP_CMP_NE" } == true)

        let admin = DefaultProfile.seccomp(capabilities: DefaultProfile.capabilities + ["CAP_SYS_ADMIN"])
        let adminAllowed = Set((admin.syscalls ?? []).filter { $0.action == "SCMP_ACT_ALLOW" && $0.args == nil }.flatMap(\.names))
        #expect(adminAllowed.isSuperset(of: ["mount", "unshare", "setns", "clone", "clone3"]))
        #expect(!(admin.syscalls ?? []).contains { $0.names == ["clone3"] && $0.action == "SCMP_ACT_ERRNO" })
        #expect(try SeccompCompiler.compile(profile).instructions.count > 0)
    }
}
