import Foundation
import MinipodKube
import MinipodSystem

/// What both front-ends do to pods: the CLI (`run`, `apply`, `get`, `delete`) and the
/// API server's handlers call this and nothing below it, so a pod made one way is the
/// same pod the other way (design: "one pod service").
public struct PodService {
    public let paths: PodPaths
    public let store: PodStore
    /// The minipod binary; the pod's supervisor (minipod-supervisor) is installed beside it.
    public var executable: String
    public var network = PodNetworkMode.cni
    /// Image pull progress and warnings.
    public var report: (String) -> Void = { _ in }

    public init(paths: PodPaths, executable: String) {
        self.paths = paths
        self.store = PodStore(paths: paths)
        self.executable = executable
    }

    var creator: PodCreator {
        var creator = PodCreator(paths: paths, executable: executable)
        creator.network = network
        creator.report = report
        return creator
    }

    var applier: PodApplier {
        var applier = PodApplier(paths: paths)
        applier.report = report
        return applier
    }

    public enum Change {
        case create(Pod)
        case update(Pod, key: String)
    }

    /// Checks a pod against the store without changing anything: a new pod is
    /// validated and its images made present; an existing one (when `orUpdate`)
    /// must be a change the API server's update rules allow.
    public func prepare(_ pod: Pod, namespace: String?, orUpdate: Bool) throws -> Change {
        if orUpdate, let key = applier.existing(pod, namespace: namespace) {
            _ = try applier.apply(pod, namespace: namespace, key: key, check: true)
            return .update(pod, key: key)
        }
        return .create(try creator.prepare(pod, namespace: namespace))
    }

    public enum Outcome {
        case created(PodCreator.Started, Pod)
        case updated(PodApplier.Result, Pod)
    }

    public func commit(_ change: Change, namespace: String?) throws -> Outcome {
        switch change {
        case .create(let pod):
            let started = try creator.start(pod)
            return .created(started, try store.loadPod(started.key))
        case .update(let pod, let key):
            let result = try applier.apply(pod, namespace: namespace, key: key)
            return .updated(result, try store.loadPod(key))
        }
    }

    /// A pod's key, or NotFound as the API server words it.
    public func key(namespace: String, name: String) throws -> String {
        let key = PodPaths.key(namespace: namespace, name: name)
        guard store.exists(key) else { throw MinipodError.podNotFound(name) }
        return key
    }

    /// The pod as `get` shows it (a pod whose supervisor is gone is Unknown).
    public func get(namespace: String, name: String) throws -> Pod {
        guard let pod = PodLister(paths: paths).pod(key: try key(namespace: namespace, name: name)) else {
            throw MinipodError.podNotFound(name)
        }
        return pod
    }

    public func list(namespace: String?) -> [Pod] { PodLister(paths: paths).pods(namespace: namespace) }

    /// Marks the pod deleted and tells its supervisor; returns the pod as marked.
    /// `finish` then waits for it to be gone (and tears down what a lost supervisor left).
    public func requestDeletion(namespace: String, name: String, grace: Int?) throws -> (pod: Pod, pending: PodDeleter.Pending) {
        let key = try key(namespace: namespace, name: name)
        let pending = try PodDeleter(paths: paths).request(key: key, grace: grace)
        let pod = (try? store.loadPod(key)) ?? Pod(metadata: ObjectMeta(name: name, namespace: namespace), spec: PodSpec(containers: []))
        return (pod, pending)
    }

    public func finishDeletion(_ pending: PodDeleter.Pending) throws { try PodDeleter(paths: paths).finish(pending) }

    public func events(namespace: String, name: String) -> [PodEvent] {
        PodEventLog.load(paths.eventsPath(PodPaths.key(namespace: namespace, name: name)))
    }
}
