import Foundation
import MinipodOCI
import MinipodSystem

/// Checks of linux.resources values that do not need the kernel, so a bad
/// value fails with its field name before any cgroup file is written.
enum CgroupResourceValidation {
    static func validate(_ r: RuntimeSpec.Resources) throws {
        if let cpus = r.cpu?.cpus, !cpus.isEmpty, !isCPUList(cpus) { throw invalid(cpus, "linux.resources.cpu.cpus") }
        if let mems = r.cpu?.mems, !mems.isEmpty, !isCPUList(mems) { throw invalid(mems, "linux.resources.cpu.mems") }
        // runc reads -1 (as unsigned, UInt64.max) as "unset".
        if let swappiness = r.memory?.swappiness, swappiness != UInt64.max, swappiness > 100 {
            throw MinipodError(.invalidArgument, "invalid value \(swappiness) (valid range is 0-100)", field: "linux.resources.memory.swappiness")
        }
        if let io = r.blockIO {
            try weight(io.weight, "linux.resources.blockIO.weight")
            try weight(io.leafWeight, "linux.resources.blockIO.leafWeight")
            for (i, device) in (io.weightDevice ?? []).enumerated() {
                let field = "linux.resources.blockIO.weightDevice[\(i)]"
                try deviceNumbers(device.major, device.minor, field)
                try weight(device.weight, field + ".weight")
                try weight(device.leafWeight, field + ".leafWeight")
            }
            for (name, list) in BlockIOThrottle.all(io) {
                for (i, device) in list.enumerated() { try deviceNumbers(device.major, device.minor, "linux.resources.blockIO.\(name)[\(i)]") }
            }
        }
        for (i, page) in (r.hugepageLimits ?? []).enumerated() where !isPageSize(page.pageSize) {
            throw invalid(page.pageSize, "linux.resources.hugepageLimits[\(i)].pageSize")
        }
        for name in (r.rdma ?? [:]).keys.sorted() where name.isEmpty || name.contains(where: { $0.isWhitespace }) {
            // A space would start another key of the rdma.max line.
            throw invalid(name, CgroupRdma.field(name))
        }
        for name in (r.unified ?? [:]).keys.sorted() {
            let parts = name.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
            // Only a file of the container's own cgroup directory: no path, no parent.
            if name.contains("/") || parts.count != 2 || parts.contains(where: \.isEmpty) || name.contains(where: { $0.isWhitespace || $0 == "\0" }) {
                throw MinipodError(
                    .invalidArgument, "invalid file name \"\(name)\" (want CONTROLLER.PARAMETER, no slashes)",
                    field: "linux.resources.unified")
            }
        }
        for (i, priority) in (r.network?.priorities ?? []).enumerated() {
            let name = priority.name
            if name.isEmpty || name.count > 15 || name.contains(where: { $0 == "/" || $0.isWhitespace }) {
                throw invalid(name, "linux.resources.network.priorities[\(i)].name")
            }
        }
    }

    /// "0-3,5", as cpuset.cpus and cpuset.mems take it.
    static func isCPUList(_ text: String) -> Bool {
        text.split(separator: ",", omittingEmptySubsequences: false).allSatisfy { item in
            let bounds = item.split(separator: "-", omittingEmptySubsequences: false)
            guard (1...2).contains(bounds.count), bounds.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && UInt32($0) != nil }) else {
                return false
            }
            return bounds.count == 1 || UInt32(bounds[0])! <= UInt32(bounds[1])!
        }
    }

    /// "2MB", "1GB", "64KB": the size part of hugetlb.<size>.limit_in_bytes.
    static func isPageSize(_ text: String) -> Bool {
        guard text.hasSuffix("B"), text.count >= 2 else { return false }
        var digits = text.dropLast()
        if let unit = digits.last, "KMGTPE".contains(unit) { digits = digits.dropLast() }
        return !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// The blkio weight range (runc and the v1 kernel: 10-1000; 0 means unset).
    private static func weight(_ value: UInt16?, _ field: String) throws {
        guard let value, value != 0 else { return }
        if value < 10 || value > 1000 {
            throw MinipodError(.invalidArgument, "invalid value \(value) (valid range is 10-1000)", field: field)
        }
    }

    private static func deviceNumbers(_ major: Int64, _ minor: Int64, _ field: String) throws {
        if major < 0 || major > Int64(UInt32.max) { throw invalid(String(major), field + ".major") }
        if minor < 0 || minor > Int64(UInt32.max) { throw invalid(String(minor), field + ".minor") }
    }

    private static func invalid(_ value: String, _ field: String) -> MinipodError {
        MinipodError(.invalidArgument, "invalid value \"\(value)\"", field: field)
    }
}

/// The four blockIO throttle lists with their spec names and the v2 io.max keys.
enum BlockIOThrottle {
    typealias Device = RuntimeSpec.Resources.BlockIO.ThrottleDevice

    static func all(_ io: RuntimeSpec.Resources.BlockIO) -> [(name: String, devices: [Device])] {
        [
            ("throttleReadBpsDevice", io.throttleReadBpsDevice ?? []), ("throttleWriteBpsDevice", io.throttleWriteBpsDevice ?? []),
            ("throttleReadIOPSDevice", io.throttleReadIOPSDevice ?? []), ("throttleWriteIOPSDevice", io.throttleWriteIOPSDevice ?? []),
        ]
    }

    /// blkio.throttle.* file of v1 for a list name.
    static let v1File = [
        "throttleReadBpsDevice": "blkio.throttle.read_bps_device", "throttleWriteBpsDevice": "blkio.throttle.write_bps_device",
        "throttleReadIOPSDevice": "blkio.throttle.read_iops_device", "throttleWriteIOPSDevice": "blkio.throttle.write_iops_device",
    ]
    /// io.max key of v2 for a list name.
    static let v2Key = [
        "throttleReadBpsDevice": "rbps", "throttleWriteBpsDevice": "wbps",
        "throttleReadIOPSDevice": "riops", "throttleWriteIOPSDevice": "wiops",
    ]
}
