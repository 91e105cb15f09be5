import CMinipod
import Foundation
import MinipodSystem

/// Device rules on cgroup v2: a BPF_PROG_TYPE_CGROUP_DEVICE program attached
/// to the cgroup, generated like runc's devicefilter (itself from crun). The
/// kernel runs it on every open/mknod of a device node with
/// struct bpf_cgroup_dev_ctx { u32 access_type (type | access << 16); u32 major; u32 minor; }
/// and allows the access when it returns 1.
enum CgroupDeviceFilter {
    /// One eBPF instruction (struct bpf_insn).
    struct Instruction: Equatable {
        var code: UInt8
        var dst: UInt8 = 0
        var src: UInt8 = 0
        var offset: Int16 = 0
        var imm: Int32 = 0
    }

    // Opcodes (linux/bpf.h and bpf_common.h).
    static let loadWord: UInt8 = 0x61  // BPF_LDX | BPF_MEM | BPF_W: dst = *(u32 *)(src + offset)
    static let and32Imm: UInt8 = 0x54  // BPF_ALU | BPF_AND | BPF_K
    static let rsh32Imm: UInt8 = 0x74  // BPF_ALU | BPF_RSH | BPF_K
    static let mov32Imm: UInt8 = 0xb4  // BPF_ALU | BPF_MOV | BPF_K
    static let mov32Reg: UInt8 = 0xbc  // BPF_ALU | BPF_MOV | BPF_X
    static let jneImm: UInt8 = 0x55  // BPF_JMP | BPF_JNE | BPF_K: if dst != imm, pc += offset
    static let jneReg: UInt8 = 0x5d  // BPF_JMP | BPF_JNE | BPF_X
    static let exit: UInt8 = 0x95  // BPF_JMP | BPF_EXIT: return r0

    // bpf_cgroup_dev_ctx values.
    static let typeBlock: Int32 = 1, typeChar: Int32 = 2  // BPF_DEVCG_DEV_*
    static let accessMknod: Int32 = 1, accessRead: Int32 = 2, accessWrite: Int32 = 4  // BPF_DEVCG_ACC_*

    /// The program for rules in spec order: the v1 semantics (later rules act on
    /// what earlier ones left) are emulated first, leaving a default verdict and
    /// exceptions that all have the other verdict, so their order no longer matters.
    static func program(_ rules: [DeviceCgroupRule]) -> [Instruction] {
        let (defaultAllow, exceptions) = DeviceCgroupRule.emulate(rules)
        var program: [Instruction] = [
            Instruction(code: loadWord, dst: 2, src: 1, offset: 0),  // r2 = access_type
            Instruction(code: and32Imm, dst: 2, imm: 0xFFFF),  // r2 = device type
            Instruction(code: loadWord, dst: 3, src: 1, offset: 0),
            Instruction(code: rsh32Imm, dst: 3, imm: 16),  // r3 = requested access
            Instruction(code: loadWord, dst: 4, src: 1, offset: 4),  // r4 = major
            Instruction(code: loadWord, dst: 5, src: 1, offset: 8),  // r5 = minor
        ]
        for rule in exceptions { program += block(rule) }
        program += verdict(defaultAllow)
        return program
    }

    /// Returns the rule's verdict when the device matches; otherwise jumps past itself.
    private static func block(_ rule: DeviceCgroupRule) -> [Instruction] {
        var checks: [Instruction] = [Instruction(code: jneImm, dst: 2, imm: rule.kind == .block ? typeBlock : typeChar)]
        if rule.access != DeviceCgroupRule.fullAccess {
            var allowed: Int32 = 0
            if rule.access.contains("m") { allowed |= accessMknod }
            if rule.access.contains("r") { allowed |= accessRead }
            if rule.access.contains("w") { allowed |= accessWrite }
            // Matches only when every requested access bit is among the allowed ones: (r3 & allowed) == r3.
            checks += [
                Instruction(code: mov32Reg, dst: 1, src: 3), Instruction(code: and32Imm, dst: 1, imm: allowed),
                Instruction(code: jneReg, dst: 1, src: 3),
            ]
        }
        if let major = rule.major { checks.append(Instruction(code: jneImm, dst: 4, imm: Int32(truncatingIfNeeded: major))) }
        if let minor = rule.minor { checks.append(Instruction(code: jneImm, dst: 5, imm: Int32(truncatingIfNeeded: minor))) }
        let body = verdict(rule.allow)
        let length = checks.count + body.count
        // Each jump lands on the first instruction after this block.
        for i in checks.indices where checks[i].code == jneImm || checks[i].code == jneReg {
            checks[i].offset = Int16(length - i - 1)
        }
        return checks + body
    }

    private static func verdict(_ allow: Bool) -> [Instruction] {
        [Instruction(code: mov32Imm, dst: 0, imm: allow ? 1 : 0), Instruction(code: exit)]
    }

    /// struct bpf_insn as the kernel reads it (little-endian fields, dst in the low nibble).
    static func encode(_ program: [Instruction]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(program.count * 8)
        for insn in program {
            bytes.append(insn.code)
            bytes.append((insn.src << 4) | (insn.dst & 0x0F))
            withUnsafeBytes(of: insn.offset.littleEndian) { bytes += $0 }
            withUnsafeBytes(of: insn.imm.littleEndian) { bytes += $0 }
        }
        return bytes
    }

    /// Loads the program and attaches it to the cgroup directory, replacing the
    /// program an earlier apply attached there (BPF_F_ALLOW_MULTI, so a nested
    /// runtime can still attach its own below).
    @Sendable static func attach(program: [Instruction], toCgroup directory: String) throws {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd < 0 { throw MinipodError.sys("open \(directory)") }
        defer { close(fd) }
        var log = [CChar](repeating: 0, count: 4096)
        let bytes = encode(program)
        let rc = bytes.withUnsafeBytes { mp_cgroup_device_filter(fd, $0.baseAddress, UInt32(program.count), &log, log.count) }
        if rc != 0 {
            let e = errno
            let verifier = String(cString: log).trimmingCharacters(in: .whitespacesAndNewlines)
            throw MinipodError(
                .runtime, "cannot attach the device filter (eBPF) to \(directory)" + (verifier.isEmpty ? "" : " (verifier: \(verifier))"),
                field: "linux.resources.devices", errno: e)
        }
    }
}
