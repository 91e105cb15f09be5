import Foundation
import MinipodPod

/// Every two seconds, as kubelet's housekeeping: a pod whose supervisor was
/// lost is taken over by a new one (or finished, if half-made or being
/// deleted), and supervisors this server started that have ended are reaped.
/// On its own thread: the collector takes locks and reads files.
struct PodHousekeeping {
    let paths: PodPaths
    let executable: String
    static let interval: UInt32 = 2_000_000

    func start() {
        let collector = PodGarbageCollector(paths: paths, executable: executable)
        let thread = Thread {
            var first = true
            while true {
                SupervisorChildren.shared.reapEnded()
                collector.collect(orphans: first)
                first = false
                usleep(Self.interval)
            }
        }
        thread.stackSize = 512 * 1024
        thread.start()
    }
}
