import Foundation
import MinipodCgroups
import MinipodOCI
import MinipodSystem

/// A bundle directory: config.json plus the rootfs it names.
public struct OCIBundle {
    public let path: String
    public let configBytes: [UInt8]
    /// root.path made absolute (it is relative to the bundle in most bundles).
    public var spec: RuntimeSpec
    public var hooks: OCIHooks?

    public static func load(_ bundle: String, id: String) throws -> OCIBundle {
        let path = absolute(bundle)
        let configPath = path + "/config.json"
        guard FileIO.exists(configPath) else {
            throw MinipodError(.notFound, "container \(id): cannot load config: \(configPath) does not exist")
        }
        let bytes = try FileIO.readBytes(configPath)
        var spec: RuntimeSpec
        let hooks: OCIHooks?
        do {
            spec = try JSONDecoder().decode(RuntimeSpec.self, from: Data(bytes))
            hooks = try JSONDecoder().decode(HooksOnly.self, from: Data(bytes)).hooks
        } catch {
            throw MinipodError(.invalidArgument, "container \(id): \(configPath): \(describe(error))")
        }
        guard var root = spec.root else { throw MinipodError(.invalidArgument, "container \(id): root.path is missing", field: "root") }
        root.path = absolute(root.path, relativeTo: path)
        guard FileIO.isDirectory(root.path) else {
            throw MinipodError(.notFound, "container \(id): rootfs \(root.path) does not exist", field: "root.path")
        }
        spec.root = root
        if spec.linux?.namespaces?.contains(where: { $0.type == "mount" }) != true && !(spec.mounts ?? []).isEmpty {
            // As runc: no mount namespace, no mounts (they would change the caller's); only a chroot.
            fputs(
                "minipod: container \(id): linux.namespaces has no mount namespace: mounts, maskedPaths and readonlyPaths are not applied\n", stderr)
        }
        if let rules = spec.linux?.resources?.devices, !rules.isEmpty {
            // runtime-spec: the runtime supplies /dev/null, /dev/zero, /dev/tty, … and the nodes of
            // linux.devices whatever the spec's rules say; like runc, their allow rules follow the
            // spec's (whose first is usually deny-all).
            let nodes = (spec.linux?.devices ?? []).compactMap(Self.allowRule)
            spec.linux?.resources?.devices = rules + Cgroup.allowedDevices + nodes
        }
        return OCIBundle(path: path, configBytes: bytes, spec: spec, hooks: hooks)
    }

    private static func allowRule(for device: RuntimeSpec.Device) -> RuntimeSpec.Resources.DeviceRule? {
        guard device.type != "p" else { return nil }  // a FIFO is no device to the cgroup
        return .init(allow: true, type: device.type == "u" ? "c" : device.type, major: device.major, minor: device.minor, access: "rwm")
    }

    public static func absolute(_ path: String, relativeTo base: String = FileManager.default.currentDirectoryPath) -> String {
        let joined = path.hasPrefix("/") ? path : base + "/" + path
        return (joined as NSString).standardizingPath
    }

    /// A decoding error as "memory.limit: <what was wrong>", the JSON path first.
    static func describe(_ error: Error) -> String {
        guard let e = error as? DecodingError else { return "\(error)" }
        switch e {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .keyNotFound(_, let c), .dataCorrupted(let c):
            let path = c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return "\(path.hasPrefix(".") ? String(path.dropFirst()) : path): \(c.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}

private struct HooksOnly: Decodable { var hooks: OCIHooks? }

/// linux.cgroupsPath → the cgroupfs path minipod's driver manages.
public enum OCICgroupPath {
    /// "/a/b" is absolute in every hierarchy; "a/b" is below the caller's own
    /// cgroup (as runc); "slice:prefix:name" is systemd's form, mapped to the
    /// path systemd would give it; empty means `<own cgroup>/<id>`.
    public static func resolve(_ cgroupsPath: String?, id: String, ownCgroup: String = ownCgroup()) throws -> String {
        let value = cgroupsPath ?? ""
        let path: String
        if value.isEmpty {
            path = join(ownCgroup, id)
        } else if value.hasPrefix("/") {
            path = value
        } else if value.split(separator: ":", omittingEmptySubsequences: false).count == 3 {
            let parts = value.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            path = "/" + expandSlice(parts[0].isEmpty ? "system.slice" : parts[0]) + "/" + scopeName(prefix: parts[1], name: parts[2])
        } else {
            path = join(ownCgroup, value)
        }
        let clean = (path as NSString).standardizingPath
        guard clean != "/" && !clean.isEmpty && !clean.split(separator: "/").contains("..") else {
            // Killing "everything in the cgroup" must never mean the host's root cgroup.
            throw MinipodError(
                .invalidArgument, "container \(id): linux.cgroupsPath \"\(value)\" must name a cgroup below the root",
                field: "linux.cgroupsPath")
        }
        return clean
    }

    /// "a-b.slice" → "a.slice/a-b.slice", as systemd nests slices.
    static func expandSlice(_ slice: String) -> String {
        guard slice.hasSuffix(".slice"), slice != "-.slice" else { return slice }
        let parts = slice.dropLast(6).split(separator: "-")
        var result: [String] = []
        for i in parts.indices { result.append(parts[...i].joined(separator: "-") + ".slice") }
        return result.joined(separator: "/")
    }

    static func scopeName(prefix: String, name: String) -> String {
        if name.hasSuffix(".slice") { return name }
        return (prefix.isEmpty ? "" : prefix + "-") + name + ".scope"
    }

    private static func join(_ base: String, _ rest: String) -> String {
        base.hasSuffix("/") ? base + rest : base + "/" + rest
    }

    /// The caller's cgroup: the v2 entry, or the pids hierarchy's on v1.
    public static func ownCgroup() -> String {
        let text = (try? FileIO.readString("/proc/self/cgroup")) ?? ""
        var v2 = "/"
        var pids: String?
        for line in text.split(separator: "\n") {
            let f = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard f.count == 3 else { continue }
            if f[0] == "0" && f[1].isEmpty { v2 = String(f[2]) }
            if f[1].split(separator: ",").contains("pids") { pids = String(f[2]) }
        }
        return pids ?? v2
    }
}
