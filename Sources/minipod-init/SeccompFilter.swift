import CSeccomp
import Glibc
import MinipodOCI
import MinipodSystem

/// Compiles the spec's seccomp section with libseccomp and loads it.
/// libseccomp's action macros are function-like and do not import into Swift.
struct SeccompFilter {
    let profile: RuntimeSpec.Seccomp

    init(_ profile: RuntimeSpec.Seccomp) { self.profile = profile }

    static func action(_ name: String, errnoRet: UInt32?) throws -> UInt32 {
        switch name {
        case "SCMP_ACT_ALLOW": return 0x7fff_0000
        case "SCMP_ACT_ERRNO": return 0x0005_0000 | ((errnoRet ?? UInt32(EPERM)) & 0xffff)
        case "SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD": return 0x0000_0000
        case "SCMP_ACT_KILL_PROCESS": return 0x8000_0000
        case "SCMP_ACT_LOG": return 0x7ffc_0000
        case "SCMP_ACT_TRAP": return 0x0003_0000
        case "SCMP_ACT_TRACE": return 0x7ff0_0000 | ((errnoRet ?? 0) & 0xffff)
        default: throw MinipodError(.runtime, "linux.seccomp: unknown action \(name)")
        }
    }

    static func compareOp(_ name: String) throws -> scmp_compare {
        switch name {
        case "SCMP_CMP_NE": return SCMP_CMP_NE
        case "SCMP_CMP_LT": return SCMP_CMP_LT
        case "SCMP_CMP_LE": return SCMP_CMP_LE
        case "SCMP_CMP_EQ": return SCMP_CMP_EQ
        case "SCMP_CMP_GE": return SCMP_CMP_GE
        case "SCMP_CMP_GT": return SCMP_CMP_GT
        case "SCMP_CMP_MASKED_EQ": return SCMP_CMP_MASKED_EQ
        default: throw MinipodError(.runtime, "linux.seccomp: unknown operator \(name)")
        }
    }

    func load() throws {
        let defaultAction = try Self.action(profile.defaultAction, errnoRet: profile.defaultErrnoRet)
        guard let ctx = seccomp_init(defaultAction) else { throw MinipodError(.runtime, "seccomp_init failed") }
        defer { seccomp_release(ctx) }
        // libseccomp would set no_new_privs on its own; process.noNewPrivileges decides that.
        _ = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0)
        for arch in profile.architectures ?? [] {
            let short = arch.hasPrefix("SCMP_ARCH_") ? String(arch.dropFirst(10)).lowercased() : arch.lowercased()
            let token = seccomp_arch_resolve_name(short)
            if token == 0 { continue }  // an architecture this libseccomp does not know: as runc, skip it
            let rc = seccomp_arch_add(ctx, token)
            if rc != 0 && rc != -EEXIST { throw MinipodError(.runtime, "seccomp: add architecture \(arch)", errno: -rc) }
        }
        for (index, rule) in (profile.syscalls ?? []).enumerated() {
            let action = try Self.action(rule.action, errnoRet: rule.errnoRet)
            if action == defaultAction { continue }
            var args = try (rule.args ?? []).map { arg -> scmp_arg_cmp in
                scmp_arg_cmp(arg: arg.index, op: try Self.compareOp(arg.op), datum_a: arg.value, datum_b: arg.valueTwo ?? 0)
            }
            for name in rule.names {
                let nr = seccomp_syscall_resolve_name(name)
                if nr == __NR_SCMP_ERROR { continue }  // unknown to this kernel/library: ignored, as runc does
                let rc = seccomp_rule_add_array(ctx, action, nr, UInt32(args.count), &args)
                if rc != 0 {
                    throw MinipodError(.runtime, "linux.seccomp.syscalls[\(index)]: rule for \(name)", errno: -rc)
                }
            }
        }
        let rc = seccomp_load(ctx)
        if rc != 0 { throw MinipodError(.runtime, "seccomp_load", errno: -rc) }
    }
}
