import Foundation
import MinipodOCI

/// Lifecycle states of the OCI runtime spec ("creating" is never observable here:
/// the state file is written only once init reported ready).
public enum OCIStatus: String, Codable, Sendable {
    case creating, created, running, paused, stopped
}

/// What `minipod oci state` prints: the runtime-spec state object plus the
/// fields runc adds (rootfs, created, owner), so tools written against runc parse it.
public struct OCIState: Codable, Equatable, Sendable {
    public var ociVersion: String
    public var id: String
    public var pid: Int32
    public var status: OCIStatus
    public var bundle: String
    public var rootfs: String
    public var created: String
    public var owner: String
    public var annotations: [String: String]?

    /// runc's layout: two-space indent, spec field order.
    public func json() -> String {
        var lines = [
            "  \"ociVersion\": \(quote(ociVersion))",
            "  \"id\": \(quote(id))",
            "  \"pid\": \(pid)",
            "  \"status\": \(quote(status.rawValue))",
            "  \"bundle\": \(quote(bundle))",
            "  \"rootfs\": \(quote(rootfs))",
            "  \"created\": \(quote(created))",
            "  \"owner\": \(quote(owner))",
        ]
        if let annotations, !annotations.isEmpty {
            let entries = annotations.sorted { $0.key < $1.key }.map { "    \(quote($0.key)): \(quote($0.value))" }
            lines.append("  \"annotations\": {\n" + entries.joined(separator: ",\n") + "\n  }")
        }
        return "{\n" + lines.joined(separator: ",\n") + "\n}"
    }

    private func quote(_ s: String) -> String {
        let data = (try? JSONEncoder().encode(s)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\\/", with: "/")
    }
}

/// What minipod keeps about one OCI container in `<root>/<id>/state.json`.
public struct OCIContainerRecord: Codable, Equatable, Sendable {
    public var ociVersion: String
    public var id: String
    public var pid: Int32
    /// Field 22 of /proc/<pid>/stat when created: a recycled pid has another value.
    public var pidStartTime: UInt64
    public var bundle: String
    public var rootfs: String
    public var created: String
    public var cgroupPath: String
    public var annotations: [String: String]?
    /// linux.resources as `update` last applied them; nil: the saved config.json's.
    public var resources: RuntimeSpec.Resources?

    public init(
        ociVersion: String, id: String, pid: Int32, pidStartTime: UInt64, bundle: String, rootfs: String,
        created: String, cgroupPath: String, annotations: [String: String]?, resources: RuntimeSpec.Resources? = nil
    ) {
        self.ociVersion = ociVersion
        self.id = id
        self.pid = pid
        self.pidStartTime = pidStartTime
        self.bundle = bundle
        self.rootfs = rootfs
        self.created = created
        self.cgroupPath = cgroupPath
        self.annotations = annotations
        self.resources = resources
    }

    /// runc reports pid 0 once the container stopped.
    public func state(_ status: OCIStatus) -> OCIState {
        OCIState(
            ociVersion: ociVersion, id: id, pid: status == .stopped ? 0 : pid, status: status, bundle: bundle,
            rootfs: rootfs, created: created, owner: "", annotations: annotations)
    }
}

public enum ProcessStartTime {
    /// Field 22 (starttime, in clock ticks since boot) of /proc/<pid>/stat.
    public static func of(_ pid: pid_t) -> UInt64? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name start at field 3.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 19 ? UInt64(fields[19]) : nil
    }
}

public enum RFC3339 {
    public static func now() -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: Date())
    }
}
