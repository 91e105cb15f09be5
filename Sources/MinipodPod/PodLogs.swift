import Foundation
import MinipodKube
import MinipodSystem

/// `minipod logs`: reads a container's CRI log and prints what the container wrote.
public struct PodLogs {
    public let paths: PodPaths
    public let store: PodStore

    public init(paths: PodPaths) {
        self.paths = paths
        self.store = PodStore(paths: paths)
    }

    public struct Options {
        public var follow = false
        public var previous = false
        public var timestamps = false
        public var tail: Int? = nil
        public var since: TimeInterval? = nil
        public init() {}
    }

    /// kubectl's choice: -c, else the default-container annotation, else the
    /// only container, else the first with a "Defaulted container" notice.
    public static func chooseContainer(_ pod: Pod, requested: String?, notice: (String) -> Void) throws -> String {
        let all = pod.spec.allContainers.map(\.name)
        if let requested {
            guard all.contains(requested) else {
                throw MinipodError(.invalidArgument, "container \(requested) is not valid for pod \(pod.metadata.name)")
            }
            return requested
        }
        if let annotated = pod.metadata.annotations?["kubectl.kubernetes.io/default-container"], all.contains(annotated) {
            return annotated
        }
        let main = pod.spec.containers.map(\.name)
        if main.count > 1 {
            notice("Defaulted container \"\(main[0])\" out of: \(all.joined(separator: ", "))")
        }
        return main[0]
    }

    public func logPath(pod: Pod, container: String, previous: Bool) throws -> String {
        let status = (pod.status?.containerStatuses ?? []) + (pod.status?.initContainerStatuses ?? [])
        let restarts = status.first { $0.name == container }?.restartCount ?? 0
        let everRan =
            status.first { $0.name == container }.map { $0.state.waiting == nil || $0.restartCount > 0 || $0.lastState.terminated != nil } ?? false
        if previous && restarts == 0 {
            throw MinipodError(.invalidArgument, "previous terminated container \"\(container)\" in pod \"\(pod.metadata.name)\" not found")
        }
        let restart = previous ? restarts - 1 : restarts
        let path = paths.logPath(
            namespace: pod.metadata.namespace ?? "default", name: pod.metadata.name,
            uid: pod.metadata.uid ?? "", container: container, restart: restart)
        if !FileIO.exists(path) && !everRan {
            let reason = status.first { $0.name == container }?.state.waiting?.reason ?? "ContainerCreating"
            throw MinipodError(.invalidArgument, "container \"\(container)\" in pod \"\(pod.metadata.name)\" is waiting to start: \(reason)")
        }
        return path
    }

    /// Writes the log to `output`; with follow, keeps going until the container ends, the pod goes
    /// away or `stop` says the reader left (an API client that hung up).
    public func stream(key: String, container: String, options: Options, stop: () -> Bool = { false }, output: (String) -> Void) throws {
        let pod = try store.loadPod(key)
        let path = try logPath(pod: pod, container: container, previous: options.previous)
        // Reads on across a rotation (the file may rotate while it is read, or followed).
        let follower = LogFollower(path: path)
        var records: [String] = []
        var pending = ""
        var buf = [UInt8](repeating: 0, count: 65536)
        let sinceDate = options.since.map { Date().addingTimeInterval(-$0) }

        func render(_ line: Substring) -> String? {
            guard let record = CRILog.parse(line) else { return nil }
            if let sinceDate, let t = KubeTime.parse(record.timestamp), t < sinceDate { return nil }
            pending += record.content
            if record.partial { return nil }
            defer { pending = "" }
            return options.timestamps ? "\(record.timestamp) \(pending)\n" : pending + "\n"
        }

        // Split on the newline byte, not on String's Characters: a terminal's "\r\n" is one Character.
        var carry: [UInt8] = []
        func consume(_ n: Int) -> [String] {
            carry += buf[0..<n]
            var out: [String] = []
            var start = 0
            while let newline = carry[start...].firstIndex(of: UInt8(ascii: "\n")) {
                if let text = render(Substring(String(decoding: carry[start..<newline], as: UTF8.self))) { out.append(text) }
                start = newline + 1
            }
            carry.removeFirst(start)
            return out
        }

        func read() -> Int { follower.map { f in buf.withUnsafeMutableBytes { f.read(into: $0) } } ?? 0 }
        while case let n = read(), n > 0 { records += consume(n) }
        if let tail = options.tail, tail >= 0 { records = Array(records.suffix(tail)) }
        records.forEach(output)
        guard options.follow, !options.previous, follower != nil else { return }
        var idleRounds = 0
        while !stop() {
            let n = read()
            if n > 0 {
                consume(n).forEach(output)
                idleRounds = 0
                continue
            }
            idleRounds += 1
            // Checked every ~0.5 s: follow ends when the container stops or the pod is gone, as kubectl's does.
            if idleRounds % 10 == 0 {
                guard let current = try? store.loadPod(key) else {
                    while case let n = read(), n > 0 { consume(n).forEach(output) }
                    return
                }
                let status = ((current.status?.containerStatuses ?? []) + (current.status?.initContainerStatuses ?? [])).first {
                    $0.name == container
                }
                let running = status?.state.running != nil
                let sameRun =
                    status?.restartCount
                    == (pod.status.flatMap { s in
                        ((s.containerStatuses ?? []) + (s.initContainerStatuses ?? [])).first { $0.name == container }?.restartCount
                    } ?? 0)
                if !running || !sameRun {
                    usleep(50_000)  // the log pump may still hold the last lines
                    while case let n = read(), n > 0 { consume(n).forEach(output) }
                    return
                }
            }
            usleep(50_000)
        }
    }
}
