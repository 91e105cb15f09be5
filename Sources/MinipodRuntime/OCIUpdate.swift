import Foundation
import MinipodOCI
import MinipodSystem

extension OCIRuntime {
    /// runc update: `change` merged into the container's linux.resources,
    /// written to its cgroup (device rules untouched) and kept in its state,
    /// where the next update and exec read them.
    public func update(_ id: String, _ change: RuntimeSpec.Resources) throws {
        // Two updates at once must not each merge into the same old resources and lose one.
        try store.locked(id) { try updateLocked(id, change) }
    }

    private func updateLocked(_ id: String, _ change: RuntimeSpec.Resources) throws {
        var record = try store.load(id)
        guard store.status(of: record) != .stopped else { throw MinipodError(.invalidArgument, "container not running") }
        let current = try savedSpec(id).linux?.resources ?? RuntimeSpec.Resources()
        let updated = OCIResourceUpdate.merge(change, into: current)
        let cgroup = cgroup(record)
        do {
            try cgroup.apply(updated, skipDevices: true)
        } catch {
            // Values before the failing one may have reached the kernel: put the saved ones back, as runc does.
            do { try cgroup.apply(current, skipDevices: true) } catch let restore {
                warn("container \(id): setting back its cgroup failed (\(restore)): the cgroup and the saved resources may disagree")
            }
            throw error
        }
        record.resources = updated
        try store.save(record)
    }
}
