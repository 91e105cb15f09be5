import MinipodOCI

/// linux.resources.rdma as the rdma controller's rdma.max takes it, the same
/// on v1 and v2: one write per device, "mlx5_1 hca_handle=3 hca_object=1000".
enum CgroupRdma {
    /// nil when the spec gives the device no limit (a bare device name would set nothing).
    static func maxLine(device: String, _ limits: RuntimeSpec.Resources.Rdma) -> String? {
        var line = device
        if let handles = limits.hcaHandles { line += " hca_handle=\(handles)" }
        if let objects = limits.hcaObjects { line += " hca_object=\(objects)" }
        return line == device ? nil : line
    }

    static func field(_ device: String) -> String { "linux.resources.rdma[\"\(device)\"]" }

    /// Devices in a fixed order, so errors and writes do not depend on dictionary order.
    static func sorted(_ rdma: [String: RuntimeSpec.Resources.Rdma]?) -> [(device: String, limits: RuntimeSpec.Resources.Rdma)] {
        (rdma ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}
