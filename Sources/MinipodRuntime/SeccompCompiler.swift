import CMinipod
import CSeccomp
import Glibc
import MinipodInitProtocol
import MinipodOCI
import MinipodSystem

/// Compiles the spec's seccomp section with libseccomp, in the parent (as crun
/// does): the container's init only loads the result, and `exec` reuses the
/// program compiled when the container was created instead of compiling again.
/// libseccomp's action macros are function-like and do not import into Swift.
public enum SeccompCompiler {
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

    static func flag(_ name: String) throws -> UInt32 {
        switch name {
        case "SECCOMP_FILTER_FLAG_TSYNC": return 1
        case "SECCOMP_FILTER_FLAG_LOG": return 2
        case "SECCOMP_FILTER_FLAG_SPEC_ALLOW": return 4
        default: throw MinipodError(.runtime, "linux.seccomp.flags: unknown flag \(name)")
        }
    }

    public static func compile(_ profile: RuntimeSpec.Seccomp) throws -> SeccompProgram {
        let flags = try (profile.flags ?? []).reduce(UInt32(0)) { $0 | (try flag($1)) }
        let defaultAction = try action(profile.defaultAction, errnoRet: profile.defaultErrnoRet)
        guard let ctx = seccomp_init(defaultAction) else { throw MinipodError(.runtime, "seccomp_init failed") }
        defer { seccomp_release(ctx) }
        for arch in profile.architectures ?? [] {
            let short = arch.hasPrefix("SCMP_ARCH_") ? String(arch.dropFirst(10)).lowercased() : arch.lowercased()
            let token = seccomp_arch_resolve_name(short)
            if token == 0 { continue }  // an architecture this libseccomp does not know: as runc, skip it
            let rc = seccomp_arch_add(ctx, token)
            if rc != 0 && rc != -EEXIST { throw MinipodError(.runtime, "seccomp: add architecture \(arch)", errno: -rc) }
        }
        for (index, rule) in (profile.syscalls ?? []).enumerated() {
            let ruleAction = try action(rule.action, errnoRet: rule.errnoRet)
            if ruleAction == defaultAction { continue }
            var args = try (rule.args ?? []).map { arg -> scmp_arg_cmp in
                scmp_arg_cmp(arg: arg.index, op: try compareOp(arg.op), datum_a: arg.value, datum_b: arg.valueTwo ?? 0)
            }
            for name in rule.names {
                let nr = seccomp_syscall_resolve_name(name)
                if nr == __NR_SCMP_ERROR { continue }  // unknown to this kernel/library: ignored, as runc does
                let rc = seccomp_rule_add_array(ctx, ruleAction, nr, UInt32(args.count), &args)
                if rc != 0 {
                    throw MinipodError(.runtime, "linux.seccomp.syscalls[\(index)]: rule for \(name)", errno: -rc)
                }
            }
        }
        return SeccompProgram(instructions: try export(ctx), flags: flags)
    }

    /// libseccomp 2.5 exports only to a file descriptor.
    private static func export(_ ctx: scmp_filter_ctx) throws -> [UInt8] {
        let fd = mp_memfd("seccomp")
        if fd < 0 { throw MinipodError.sys("memfd_create") }
        defer { close(fd) }
        let rc = seccomp_export_bpf(ctx, fd)
        if rc != 0 { throw MinipodError(.runtime, "seccomp_export_bpf", errno: -rc) }
        let size = Int(lseek(fd, 0, SEEK_END))
        var bytes = [UInt8](repeating: 0, count: size)
        let got = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, size, 0) }
        guard got == size else { throw MinipodError.sys("read the exported seccomp program") }
        return bytes
    }

    /// Where a container's compiled filter is kept: beside its config.json.
    public static func cachePath(forSpec specPath: String) -> String {
        String(specPath[..<(specPath.lastIndex(of: "/") ?? specPath.endIndex)]) + "/seccomp.bpf"
    }

    /// The program for `profile`: read from `cachePath` when that file exists (written
    /// when the container was created from the same spec), else taken from the shared
    /// cache or compiled and, with a path, written there for the container's later `exec`s.
    public static func program(for profile: RuntimeSpec.Seccomp, cachePath: String?, sharedCache: String? = nil) throws -> SeccompProgram {
        if let cachePath, let bytes = try? FileIO.readBytes(cachePath), let cached = SeccompProgram(serialized: bytes) {
            return cached
        }
        let shared = sharedCache.map(SeccompProgramCache.init(directory:))
        let program: SeccompProgram
        if let found = shared?.program(for: profile) {
            program = found
        } else {
            program = try compile(profile)
            shared?.store(program, for: profile)
        }
        if let cachePath {
            try FileIO.writeAtomically(cachePath, bytes: program.serialized, mode: 0o600)
        }
        return program
    }
}
