import Foundation
import MinipodImage
import MinipodKube
import MinipodSystem

/// `apply` on a pod that already exists (kubectl's patch of a live object):
/// unchanged; or labels, annotations and container images updated (the
/// supervisor restarts a container whose image changed, as kubelet does); or
/// refused for any other spec change.
public struct PodApplier {
    public let paths: PodPaths
    let store: PodStore
    /// Image pull progress and warnings (stderr in the CLI).
    public var report: (String) -> Void = { _ in }

    public init(paths: PodPaths) {
        self.paths = paths
        self.store = PodStore(paths: paths)
    }

    public enum Result: Equatable { case unchanged, configured }

    /// The stored pod of the manifest's name, or nil when there is none (create it then).
    public func existing(_ input: Pod, namespace: String?) -> String? {
        let key = PodPaths.key(namespace: input.metadata.namespace ?? namespace, name: input.metadata.name)
        return store.exists(key) ? key : nil
    }

    /// Checks the whole change first (new images present or pulled); with
    /// `check` nothing is written (all documents are checked first).
    public func apply(_ input: Pod, namespace: String?, key: String, check: Bool = false) throws -> Result {
        var desired = input
        if let namespace, desired.metadata.namespace == nil { desired.metadata.namespace = namespace }
        PodDefaults.apply(to: &desired)
        try PodValidator.validate(desired)
        guard case .configured(_, _, let images) = try store.withLock(key, { try compare(desired, key: key).outcome }) else { return .unchanged }
        var pulls = ImagePullPolicy(store: ImageStore(root: paths.root), report: report)
        for (field, container) in PodCreator.containerFields(desired) where images[container.name] != nil {
            do {
                try pulls.ensure(container.image, policy: container.imagePullPolicy ?? PodDefaults.pullPolicy(for: container.image))
            } catch let e as MinipodError {
                throw e.located(at: field + ".image")
            }
        }
        if check { return .configured }
        // Compared again under the lock: the pod may have changed while images were pulled.
        let changed: [String: String]? = try store.withLock(key) {
            let (outcome, current) = try compare(desired, key: key)
            var stored = current
            guard case .configured(let labels, let annotations, let images) = outcome else { return nil }
            stored.metadata.labels = labels
            stored.metadata.annotations = annotations
            let withNewImage = { (c: Container) -> Container in
                var c = c
                c.image = images[c.name] ?? c.image
                return c
            }
            stored.spec.containers = stored.spec.containers.map(withNewImage)
            stored.spec.initContainers = stored.spec.initContainers?.map(withNewImage)
            try store.save(stored, key: key)
            return images
        }
        guard let changed else { return .unchanged }
        // SIGUSR1 tells the supervisor its spec changed (SIGTERM and SIGHUP stop it).
        if !changed.isEmpty, let pid = try? store.loadRuntime(key).supervisorPid { kill(pid, SIGUSR1) }
        return .configured
    }

    /// The outcome against the stored pod (returned too, for the write that follows).
    private func compare(_ desired: Pod, key: String) throws -> (outcome: PodUpdateRules.Outcome, stored: Pod) {
        let stored = try store.loadPod(key)
        if stored.metadata.deletionTimestamp != nil {
            throw MinipodError.podAlreadyExists(stored.metadata.name, "is being deleted; wait for it to go, then apply again")
        }
        let outcome = PodUpdateRules.compare(desired: desired, stored: stored)
        if case .forbidden(let paths) = outcome {
            throw MinipodError(.invalidManifest, PodUpdateRules.forbiddenMessage(pod: stored.metadata.name, paths: paths), reason: .invalid)
        }
        return (outcome, stored)
    }
}
