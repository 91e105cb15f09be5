import CSeccomp
import Foundation
import MinipodInitProtocol
import MinipodOCI
import MinipodSystem

/// Compiled filters shared by every container on the host, by profile: compiling
/// the default profile with libseccomp takes ~9 ms, once per container start
/// without this, and every pod container gets the same profile.
///
/// A file is named by a fast (not cryptographic) hash of its key, and the key (the
/// libseccomp version and the profile's JSON) is stored in it and compared whole on
/// every read: a hash collision can only cost a compile, never hand a container
/// another profile's filter. The directory is root's (0700), as the rest of the state.
struct SeccompProgramCache {
    let directory: String

    func program(for profile: RuntimeSpec.Seccomp) -> SeccompProgram? {
        guard let key = try? Self.key(profile), let bytes = try? FileIO.readBytes(path(key)), bytes.count >= 4 else { return nil }
        let keyLength = Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16 | Int(bytes[3]) << 24
        guard bytes.count >= 4 + keyLength, Array(bytes[4..<(4 + keyLength)]) == key else { return nil }
        return SeccompProgram(serialized: Array(bytes[(4 + keyLength)...]))
    }

    func store(_ program: SeccompProgram, for profile: RuntimeSpec.Seccomp) {
        guard let key = try? Self.key(profile) else { return }
        let length = UInt32(key.count)
        let header = (0..<4).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) }
        try? FileIO.makeDirectories(directory, mode: 0o700)
        try? FileIO.writeAtomically(path(key), bytes: header + key + program.serialized, mode: 0o600)
    }

    static func key(_ profile: RuntimeSpec.Seccomp) throws -> [UInt8] {
        let v = seccomp_version().pointee
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return Array("libseccomp \(v.major).\(v.minor).\(v.micro)\n".utf8) + Array(try encoder.encode(profile))
    }

    private func path(_ key: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a
        for byte in key { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return directory + "/" + String(hash, radix: 16) + ".bpf"
    }
}
