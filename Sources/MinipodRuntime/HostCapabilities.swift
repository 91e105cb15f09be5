import Foundation

/// What the host lets a container have: a privileged container gets every
/// capability in the bounding set of the process that starts it (as containerd
/// does), not every capability the kernel knows, which a host that dropped one
/// from its bounding set refuses (cap_set_proc: EPERM).
public enum HostCapabilities {
    /// The names of the capabilities set in `mask`: bit N is capability number N,
    /// and DefaultProfile.allCapabilities is in number order.
    public static func names(inMask mask: UInt64) -> [String] {
        DefaultProfile.allCapabilities.enumerated().filter { mask & (1 << UInt64($0.offset)) != 0 }.map(\.element)
    }

    /// The `CapBnd:` line of a /proc/<pid>/status text, as names (nil when it has none).
    public static func boundingSet(status: String) -> [String]? {
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("CapBnd:") }),
            let mask = UInt64(line.dropFirst("CapBnd:".count).trimmingCharacters(in: .whitespaces), radix: 16)
        else { return nil }
        return names(inMask: mask)
    }

    /// This process's bounding set; every known capability when /proc cannot say.
    public static let bounding: [String] = {
        let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        return status.flatMap(boundingSet(status:)) ?? DefaultProfile.allCapabilities
    }()
}
