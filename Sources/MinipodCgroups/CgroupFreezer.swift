import Foundation
import MinipodSystem

/// `oci pause` / `resume`: the freezer (v1 freezer.state, v2 cgroup.freeze),
/// as runc does it, waiting until the kernel reports the whole cgroup frozen.
extension Cgroup {
    /// The file and the values that freeze and thaw, for this layout (nil: no freezer here).
    private var freezer: (file: String, freeze: String, thaw: String)? {
        switch layout {
        case .v2(let root): return (root + "/" + path + "/cgroup.freeze", "1", "0")
        case .v1(let controllers):
            guard let mount = controllers["freezer"] else { return nil }
            return (mount + "/" + path + "/freezer.state", "FROZEN", "THAWED")
        }
    }

    public var isFrozen: Bool {
        switch layout {
        case .v2(let root):
            let events = (try? FileIO.readString(root + "/" + path + "/cgroup.events")) ?? ""
            return events.split(separator: "\n").contains("frozen 1")
        case .v1:
            guard let freezer else { return false }
            return (try? FileIO.readString(freezer.file))?.trimmingCharacters(in: .whitespacesAndNewlines) == "FROZEN"
        }
    }

    public func freeze(_ frozen: Bool, timeout: TimeInterval = 5) throws {
        guard let freezer else {
            throw MinipodError(.runtime, "this host mounts no freezer cgroup: pause needs the v1 freezer controller or cgroup v2")
        }
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            // v1 may stay FREEZING while a task is busy in the kernel: writing again retries.
            try FileIO.write(freezer.file, frozen ? freezer.freeze : freezer.thaw, flags: O_WRONLY)
            if isFrozen == frozen { return }
            if Date() >= deadline {
                if frozen { try? FileIO.write(freezer.file, freezer.thaw, flags: O_WRONLY) }
                throw MinipodError(.runtime, "cgroup \(path) did not \(frozen ? "freeze" : "thaw") within \(Int(timeout)) s")
            }
            usleep(1000)
        }
    }
}
