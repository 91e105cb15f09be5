import Foundation
import MinipodOCI
import MinipodSystem

extension Cgroup {
    /// The device nodes a container may open (runc's default allow list plus
    /// /dev/console): with CAP_MKNOD it could otherwise make and read the host's disks.
    public static let allowedDevices: [RuntimeSpec.Resources.DeviceRule] = [
        .init(allow: true, type: "c", access: "m"), .init(allow: true, type: "b", access: "m"),  // mknod itself is harmless, opening is what counts
        char(1, 3), char(1, 5), char(1, 7),  // null, zero, full
        char(1, 8), char(1, 9),  // random, urandom
        char(5, 0), char(5, 1), char(5, 2),  // tty, console, ptmx
        char(136, nil),  // /dev/pts/*
        char(10, 200),  // tun
    ]

    /// What a container gets when its spec has no device rules: nothing but `allowedDevices`.
    public static let defaultDeviceRules = [RuntimeSpec.Resources.DeviceRule(allow: false, access: "rwm")] + allowedDevices

    private static func char(_ major: Int64, _ minor: Int64?) -> RuntimeSpec.Resources.DeviceRule {
        .init(allow: true, type: "c", major: major, minor: minor, access: "rwm")
    }
}

/// One device cgroup rule in the kernel's terms: `kind == .all` resets the
/// whole list to allow-all or deny-all (v1 devices.allow/deny "a"); other
/// rules are exceptions for one type and major:minor (nil: any).
struct DeviceCgroupRule: Equatable {
    enum Kind: String {
        case all = "a"
        case char = "c"
        case block = "b"
    }
    var allow: Bool
    var kind: Kind
    var major: Int64?
    var minor: Int64?
    var access: String  // a non-empty subset of "rwm", in that order

    static let fullAccess = "rwm"

    /// "c 1:3 rwm", "b *:* m", or "a" (the kernel ignores what follows an "a").
    var v1String: String {
        if kind == .all { return "a" }
        return "\(kind.rawValue) \(major.map(String.init) ?? "*"):\(minor.map(String.init) ?? "*") \(access)"
    }

    /// Validates and normalizes the spec's rules. A type "a" rule that is not
    /// the full wildcard ("a *:* rwm") becomes a char and a block rule: the v1
    /// kernel would otherwise read any "a" as a reset of the whole list.
    static func rules(from spec: [RuntimeSpec.Resources.DeviceRule]) throws -> [DeviceCgroupRule] {
        var result: [DeviceCgroupRule] = []
        for (index, rule) in spec.enumerated() {
            let field = "linux.resources.devices[\(index)]"
            guard let kind = Kind(rawValue: rule.type ?? "a") else {
                throw MinipodError(.invalidArgument, "invalid type \"\(rule.type ?? "")\" (want a, c or b)", field: field + ".type")
            }
            let access = rule.access ?? ""
            guard access.allSatisfy({ fullAccess.contains($0) }) else {
                throw MinipodError(.invalidArgument, "invalid access \"\(access)\" (want a subset of rwm)", field: field + ".access")
            }
            let normalized = access.isEmpty ? fullAccess : String(fullAccess.filter { access.contains($0) })
            // runc writes -1 for "any" in its own configs; accept it the same way.
            func number(_ value: Int64?, _ name: String) throws -> Int64? {
                guard let value, value != -1 else { return nil }
                guard value >= 0 && value <= Int64(UInt32.max) else {
                    throw MinipodError(.invalidArgument, "invalid \(name) \(value)", field: field + "." + name)
                }
                return value
            }
            let major = try number(rule.major, "major")
            let minor = try number(rule.minor, "minor")
            if kind == .all && (major != nil || minor != nil || normalized != fullAccess) {
                for k in [Kind.char, .block] {
                    result.append(DeviceCgroupRule(allow: rule.allow, kind: k, major: major, minor: minor, access: normalized))
                }
            } else {
                result.append(DeviceCgroupRule(allow: rule.allow, kind: kind, major: major, minor: minor, access: normalized))
            }
        }
        return result
    }

    /// The effect of applying `rules` in order to a v1 device cgroup that starts
    /// as allow-all: a default and its exceptions, for the v2 eBPF filter. Same
    /// semantics as the v1 kernel: a rule with the default's verdict takes its
    /// access away from the exception with the same type and numbers.
    static func emulate(_ rules: [DeviceCgroupRule]) -> (defaultAllow: Bool, exceptions: [DeviceCgroupRule]) {
        var defaultAllow = true
        var exceptions: [DeviceCgroupRule] = []
        for rule in rules {
            if rule.kind == .all {
                defaultAllow = rule.allow
                exceptions = []
                continue
            }
            let same = exceptions.firstIndex { $0.kind == rule.kind && $0.major == rule.major && $0.minor == rule.minor }
            if rule.allow == defaultAllow {
                guard let i = same else { continue }
                exceptions[i].access = exceptions[i].access.filter { !rule.access.contains($0) }
                if exceptions[i].access.isEmpty { exceptions.remove(at: i) }
            } else if let i = same {
                exceptions[i].access = fullAccess.filter { exceptions[i].access.contains($0) || rule.access.contains($0) }
            } else {
                exceptions.append(rule)
            }
        }
        return (defaultAllow, exceptions)
    }
}
