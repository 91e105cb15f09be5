import Foundation
import Glibc
import MinipodAPI
import MinipodAPIModel
import MinipodKube
import MinipodPod
import MinipodSystem

/// The store's change feed for watchers. Every pod version is appended to its
/// history.jsonl by whoever saves it (CLI, supervisor, this server), so inotify on
/// the pod directories tells of each one the moment it is written, however fast
/// they come (Init:0/1 → PodInitializing → Running), with no polling. Recent
/// events are kept so a watch can start from a list's resourceVersion; one older
/// than what is kept gets 410 Gone and kubectl lists again.
public final class PodFeed: PodCache, @unchecked Sendable {
    struct Event {
        let version: Int
        let type: String
        let pod: Pod
    }

    struct Subscriber {
        let request: WatchRequest
        let send: (Data) -> Void
    }

    let paths: PodPaths
    let store: PodStore
    let lock = NSLock()
    var cache: [String: EncodedPod] = [:]
    /// Each pod's supervisor, read from runtime.json once: lists show a pod whose supervisor died as Unknown.
    var supervisors: [String: pid_t] = [:]
    /// When each supervisor was last seen alive: /proc is read at most once a second per pod.
    var seenAlive: [String: Date] = [:]
    /// The newest version read: a list answers as of it, so a watch from there misses nothing.
    var latestVersion = 0
    var historyOffsets: [String: Int] = [:]
    var podWatches: [Int32: String] = [:]
    var events: [Event] = []
    /// Every event with a version above this is in `events`.
    var servableAfter = 0
    var subscribers: [Int: Subscriber] = [:]
    var nextSubscriber = 0
    let capacity: Int
    /// Called after a batch of events went out (namespaces watchers look again then).
    public var onPublish: () -> Void = {}
    /// Events of one inotify read, held back to go out in resourceVersion order: a pod made
    /// and another changed in the same read are seen in whatever order inotify lists them.
    var batch: [Event]?
    var inotify: Int32 = -1
    var stateWatch: Int32 = -1

    public init(paths: PodPaths, capacity: Int = 4096) {
        self.paths = paths
        self.store = PodStore(paths: paths)
        self.capacity = capacity
    }

    /// Watches the store and reads what is there now; the thread it starts runs for the process's life.
    public func start() throws {
        try FileIO.makeDirectories(paths.podsStateDir)
        inotify = inotify_init1(Int32(IN_CLOEXEC))
        if inotify < 0 { throw MinipodError.sys("inotify_init1") }
        stateWatch = inotify_add_watch(inotify, paths.podsStateDir, UInt32(IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM | IN_ONLYDIR))
        if stateWatch < 0 { throw MinipodError.sys("inotify_add_watch \(paths.podsStateDir)") }
        lock.lock()
        servableAfter = StoreVersion(paths: paths).current()
        latestVersion = servableAfter
        for key in (try? FileIO.listDirectory(paths.podsStateDir)) ?? [] { watchPod(key, replay: false) }
        lock.unlock()
        let thread = Thread { [self] in run() }
        thread.name = "pod-feed"
        thread.start()
    }

    /// Called with the lock held. A pod seen for the first time while running has its whole history replayed.
    func watchPod(_ key: String, replay: Bool) {
        guard podWatches.values.contains(key) == false else { return }
        let wd = inotify_add_watch(
            inotify, paths.runDir(key), UInt32(IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE_SELF | IN_ONLYDIR))
        guard wd >= 0 else { return }
        podWatches[wd] = key
        if replay {
            readHistory(key)
        } else {
            cache[key] = (try? store.loadPod(key)).map(EncodedPod.init)
            var st = stat()
            historyOffsets[key] = stat(paths.historyPath(key), &st) == 0 ? Int(st.st_size) : 0
        }
    }

    func readHistory(_ key: String) {
        let (pods, offset) = store.history(key, from: historyOffsets[key] ?? 0)
        historyOffsets[key] = offset
        for pod in pods {
            let version = Int(pod.metadata.resourceVersion ?? "") ?? 0
            if let cached = cache[key], Int(cached.pod.metadata.resourceVersion ?? "") ?? 0 >= version { continue }
            publish(Event(version: version, type: cache[key] == nil ? "ADDED" : "MODIFIED", pod: pod))
            cache[key] = EncodedPod(pod)
        }
    }

    func podGone(_ key: String) {
        if let wd = podWatches.first(where: { $0.value == key })?.key {
            podWatches.removeValue(forKey: wd)
            inotify_rm_watch(inotify, wd)
        }
        historyOffsets.removeValue(forKey: key)
        supervisors.removeValue(forKey: key)
        seenAlive.removeValue(forKey: key)
        guard var pod = cache.removeValue(forKey: key)?.pod else { return }
        let version = (try? StoreVersion(paths: paths).next()) ?? (Int(pod.metadata.resourceVersion ?? "") ?? 0) + 1
        pod.metadata.resourceVersion = String(version)
        publish(Event(version: version, type: "DELETED", pod: pod))
    }

    func publish(_ event: Event) {
        if batch != nil {
            batch?.append(event)
            return
        }
        latestVersion = max(latestVersion, event.version)
        events.append(event)
        if events.count > capacity {
            servableAfter = events.removeFirst().version
        }
        for subscriber in subscribers.values where subscriber.request.matches(event.pod) {
            subscriber.send(WatchEvent.line(type: event.type, object: WatchEvent.object(for: event.pod, table: subscriber.request.table)))
        }
    }

    private func run() {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = read(inotify, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            lock.lock()
            batch = []
            var offset = 0
            var touched: Set<String> = []
            while offset + MemoryLayout<inotify_event>.size <= n {
                let (wd, mask, length) = buffer.withUnsafeBytes { raw -> (Int32, UInt32, Int) in
                    let event = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                    return (event.wd, event.mask, Int(event.len))
                }
                let nameStart = offset + MemoryLayout<inotify_event>.size
                let name = String(decoding: buffer[nameStart..<(nameStart + length)].prefix { $0 != 0 }, as: UTF8.self)
                offset = nameStart + length
                if wd == stateWatch {
                    guard !name.isEmpty, mask & UInt32(IN_ISDIR) != 0 else { continue }
                    if mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 { watchPod(name, replay: true) }
                    if mask & UInt32(IN_DELETE | IN_MOVED_FROM) != 0 { podGone(name) }
                } else if let key = podWatches[wd] {
                    if mask & UInt32(IN_DELETE_SELF | IN_IGNORED) != 0 { podGone(key) } else if name == "history.jsonl" { touched.insert(key) }
                }
            }
            for key in touched where podWatches.values.contains(key) { readHistory(key) }
            let ordered = (batch ?? []).sorted { $0.version < $1.version }
            batch = nil
            ordered.forEach(publish)
            lock.unlock()
            onPublish()
        }
    }

    /// Starts a watch: from `resourceVersion` (events after it), or from now with
    /// every current pod as ADDED. A version older than the feed keeps is 410 Gone.
    public func subscribe(_ request: WatchRequest, send: @escaping (Data) -> Void) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        if let from = request.resourceVersion, from > 0 {
            if from < servableAfter {
                let gone = APIStatus(code: 410, reason: "Expired", message: "too old resource version: \(from) (\(servableAfter))")
                send(WatchEvent.line(type: "ERROR", object: (try? JSONSerialization.jsonObject(with: gone.json)) ?? [:]))
                return nil
            }
            for event in events where event.version > from && request.matches(event.pod) {
                send(WatchEvent.line(type: event.type, object: WatchEvent.object(for: event.pod, table: request.table)))
            }
        } else {
            for pod in cache.values.map(\.pod).sorted(by: { $0.metadata.name < $1.metadata.name }) where request.matches(pod) {
                send(WatchEvent.line(type: "ADDED", object: WatchEvent.object(for: pod, table: request.table)))
            }
        }
        nextSubscriber += 1
        subscribers[nextSubscriber] = Subscriber(request: request, send: send)
        return nextSubscriber
    }

    public func snapshot(namespace: String?) -> (pods: [EncodedPod], resourceVersion: Int) {
        lock.lock()
        defer { lock.unlock() }
        var pods: [EncodedPod] = []
        for (key, entry) in cache where namespace == nil || (entry.pod.metadata.namespace ?? "default") == namespace {
            if supervisors[key] == nil, let pid = (try? store.loadRuntime(key))?.supervisorPid { supervisors[key] = pid }
            // A lost supervisor may have been followed by a new one (PodHousekeeping).
            if let pid = supervisors[key], !supervisorAlive(key, pid), let now = (try? store.loadRuntime(key))?.supervisorPid, now != pid {
                supervisors[key] = now
            }
            if let pid = supervisors[key], !supervisorAlive(key, pid), ["Running", "Pending"].contains(entry.pod.status?.phase ?? "") {
                var lost = entry.pod
                PodLister.markSupervisorLost(&lost)
                pods.append(EncodedPod(lost))
            } else {
                pods.append(entry)
            }
        }
        pods.sort { ($0.pod.metadata.namespace ?? "", $0.pod.metadata.name) < ($1.pod.metadata.namespace ?? "", $1.pod.metadata.name) }
        return (pods, latestVersion)
    }

    func supervisorAlive(_ key: String, _ pid: pid_t) -> Bool {
        let now = Date()
        if let seen = seenAlive[key], now.timeIntervalSince(seen) < 1 { return true }
        guard Signals.isAlive(pid) else { return false }
        seenAlive[key] = now
        return true
    }

    public func unsubscribe(_ id: Int) {
        lock.lock()
        subscribers.removeValue(forKey: id)
        lock.unlock()
    }

    public var watcherCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return subscribers.count
    }
}
