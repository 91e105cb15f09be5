import Foundation
import MinipodSystem

/// sha256 through coreutils' sha256sum: it streams files of any size at
/// native speed and keeps a crypto library out of the build; swap for
/// swift-crypto if a platform lacks coreutils.
public enum Digest {
    public static func sha256(file path: String) throws -> String {
        let result = try Spawn.run("/usr/bin/sha256sum", ["--", path])
        return try parse(result, what: path)
    }

    public static func sha256(_ bytes: [UInt8]) throws -> String {
        let result = try Spawn.run("/usr/bin/sha256sum", [], input: bytes)
        return try parse(result, what: "data")
    }

    /// sha256 of a compressed layer's uncompressed stream (its diff_id).
    public static func sha256(decompressing path: String) throws -> String {
        let result = try Spawn.run(
            "/bin/sh",
            [
                "-c",
                "case \"$(head -c4 \"$1\" | od -An -tx1 | tr -d ' ')\" in 1f8b*) gzip -dc -- \"$1\";; 28b52ffd) zstd -dc -- \"$1\";; *) cat -- \"$1\";; esac | sha256sum",
                "sh", path,
            ])
        return try parse(result, what: path)
    }

    private static func parse(_ r: (status: ExitStatus, stdout: [UInt8], stderr: [UInt8]), what: String) throws -> String {
        let text = String(decoding: r.stdout, as: UTF8.self)
        guard r.status == .exited(0), let hex = text.split(separator: " ").first, hex.count == 64 else {
            throw MinipodError(.imageError, "cannot hash \(what): \(String(decoding: r.stderr, as: UTF8.self))")
        }
        return "sha256:" + hex
    }

    public static func hex(_ digest: String) -> String {
        String(digest.split(separator: ":").last ?? "")
    }

    /// OCI chain IDs: ChainID(L0) = DiffID(L0); ChainID(Ln) = sha256(ChainID(Ln-1) + " " + DiffID(Ln)).
    public static func chainIDs(_ diffIDs: [String]) throws -> [String] {
        var result: [String] = []
        for diff in diffIDs {
            if let previous = result.last {
                result.append(try sha256(Array("\(previous) \(diff)".utf8)))
            } else {
                result.append(diff)
            }
        }
        return result
    }
}
