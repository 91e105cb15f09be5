import Glibc
import MinipodCgroups
import MinipodOCI
import MinipodSystem

/// Who does what with each of a spec's namespaces when a container is created.
///
/// The spawn (C, before minipod-init runs) joins every namespace that has a path and
/// creates the user, mount and pid namespaces; minipod-init creates the rest after it
/// joined its cgroup (the cgroup namespace last, so its root is the container's cgroup).
/// Joins come first so that a new user namespace owns only what the container creates
/// (runc's nsexec order): namespaces joined by path stay owned by their own user namespace.
public struct NamespacePlan: Equatable {
    /// Joined by the spawned child, in this order: user first, mount last.
    public var joins: [(type: Sys.Namespaces, path: String)]
    /// Created by the spawn: user, mount and pid (a pid namespace only applies to children).
    public var spawnCreates: Sys.Namespaces
    /// Created by minipod-init.
    public var initCreates: Sys.Namespaces
    public var uidMap: String?
    public var gidMap: String?

    /// Joins are setns'd in this order: the user namespace grants the rights to join the
    /// others; the mount namespace last, so /proc still names the host's files until then.
    static let joinOrder: [Sys.Namespaces] = [.user, .ipc, .uts, .net, .pid, .cgroup, .time, .mount]

    public init(spec: RuntimeSpec, container: String) throws {
        var joins: [(Sys.Namespaces, String)] = []
        var creates: Sys.Namespaces = []
        var seen: Sys.Namespaces = []
        for (index, ns) in (spec.linux?.namespaces ?? []).enumerated() {
            let field = "linux.namespaces[\(index)]"
            guard let type = Sys.Namespaces(ociType: ns.type) else {
                throw MinipodError(
                    .invalidArgument, "container \(container): \(field).type: unknown namespace type \"\(ns.type)\"",
                    field: field)
            }
            guard !seen.contains(type) else {
                throw MinipodError(.invalidArgument, "container \(container): \(field): the \(ns.type) namespace is listed twice", field: field)
            }
            seen.insert(type)
            if let path = ns.path, !path.isEmpty { joins.append((type, path)) } else { creates.insert(type) }
        }
        self.joins = joins.sorted { a, b in
            Self.joinOrder.firstIndex(of: a.0)! < Self.joinOrder.firstIndex(of: b.0)!
        }.map { (type: $0.0, path: $0.1) }
        spawnCreates = creates.intersection([.user, .mount, .pid])
        initCreates = creates.subtracting(spawnCreates)

        if let hostname = spec.hostname, !hostname.isEmpty, !seen.contains(.uts) {
            // As runc: without a UTS namespace the name would be the host's to change.
            throw MinipodError(
                .invalidArgument, "container \(container): hostname needs a UTS namespace: add {\"type\": \"uts\"} to linux.namespaces",
                field: "hostname")
        }
        let uidMappings = spec.linux?.uidMappings ?? []
        let gidMappings = spec.linux?.gidMappings ?? []
        if creates.contains(.user) {
            guard !uidMappings.isEmpty, !gidMappings.isEmpty else {
                throw MinipodError(
                    .invalidArgument,
                    "container \(container): a new user namespace needs linux.uidMappings and linux.gidMappings (say which host ids the container's ids are)",
                    field: uidMappings.isEmpty ? "linux.uidMappings" : "linux.gidMappings")
            }
            uidMap = try Self.mapText(uidMappings, field: "linux.uidMappings", container: container)
            gidMap = try Self.mapText(gidMappings, field: "linux.gidMappings", container: container)
        } else if !uidMappings.isEmpty || !gidMappings.isEmpty, !joinsUserNamespace {
            throw MinipodError(
                .invalidArgument,
                "container \(container): linux.uidMappings/gidMappings need a new user namespace: add {\"type\": \"user\"} to linux.namespaces",
                field: uidMappings.isEmpty ? "linux.gidMappings" : "linux.uidMappings")
        }
        if let offsets = spec.linux?.timeOffsets, !offsets.isEmpty {
            guard creates.contains(.time) else {
                throw MinipodError(
                    .invalidArgument,
                    "container \(container): linux.timeOffsets needs a new time namespace: add {\"type\": \"time\"} to linux.namespaces",
                    field: "linux.timeOffsets")
            }
            for clock in offsets.keys where clock != "monotonic" && clock != "boottime" {
                throw MinipodError(
                    .invalidArgument, "container \(container): linux.timeOffsets.\(clock): only monotonic and boottime clocks can be offset",
                    field: "linux.timeOffsets.\(clock)")
            }
        }
    }

    /// True when the process cannot join its cgroup itself: inside a new user namespace
    /// the host's cgroup files are not its own, and a joined mount namespace may not show them.
    public var parentJoinsCgroup: Bool {
        spawnCreates.contains(.user) || joins.contains { $0.type == .mount || $0.type == .user }
    }

    /// A pod's user namespace (`hostUsers: false`), made and mapped before any container:
    /// the spec's uid/gid mappings then describe it (as runc allows), they make nothing.
    public var joinedUserNamespace: String? { joins.first { $0.type == .user }?.path }
    var joinsUserNamespace: Bool { joinedUserNamespace != nil }

    /// The kernel takes at most 340 lines per map (since 4.15); overlaps are its to refuse.
    static func mapText(_ mappings: [RuntimeSpec.IDMapping], field: String, container: String) throws -> String {
        guard mappings.count <= 340 else {
            throw MinipodError(.invalidArgument, "container \(container): \(field): at most 340 mappings, not \(mappings.count)", field: field)
        }
        for (i, m) in mappings.enumerated() where m.size == 0 {
            throw MinipodError(.invalidArgument, "container \(container): \(field)[\(i)].size must be at least 1", field: "\(field)[\(i)]")
        }
        return mappings.map { "\($0.containerID) \($0.hostID) \($0.size)\n" }.joined()
    }

    public static func == (a: NamespacePlan, b: NamespacePlan) -> Bool {
        a.joins.map(\.type) == b.joins.map(\.type) && a.joins.map(\.path) == b.joins.map(\.path)
            && a.spawnCreates == b.spawnCreates && a.initCreates == b.initCreates && a.uidMap == b.uidMap && a.gidMap == b.gidMap
    }
}

extension RuntimeSpec.Linux {
    /// The host uid and gid the container's root is mapped to, when it has a user namespace of its own.
    public var hostIDsOfContainerRoot: (uid: uid_t, gid: gid_t)? {
        guard namespaces?.contains(where: { $0.type == "user" && ($0.path ?? "").isEmpty }) == true,
            let uid = Self.host(of: 0, in: uidMappings ?? []), let gid = Self.host(of: 0, in: gidMappings ?? [])
        else { return nil }
        return (uid, gid)
    }

    static func host(of id: UInt32, in mappings: [RuntimeSpec.IDMapping]) -> UInt32? {
        for m in mappings where id >= m.containerID && UInt64(id) < UInt64(m.containerID) + UInt64(m.size) {
            return m.hostID + (id - m.containerID)
        }
        return nil
    }
}
