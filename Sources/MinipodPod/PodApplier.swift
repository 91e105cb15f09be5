import Foundation
import MinipodKube
import MinipodSystem

/// `apply` on a pod that already exists (kubectl's patch of a live object):
/// unchanged, labels and annotations updated, or refused for a spec change.
public struct PodApplier {
    public let paths: PodPaths
    let store: PodStore

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

    /// Checks the whole change first; writes only labels and annotations, under
    /// the pod's lock, and nothing with `check` (all documents are checked first).
    public func apply(_ input: Pod, namespace: String?, key: String, check: Bool = false) throws -> Result {
        var desired = input
        if let namespace, desired.metadata.namespace == nil { desired.metadata.namespace = namespace }
        PodDefaults.apply(to: &desired)
        try PodValidator.validate(desired)
        return try store.withLock(key) {
            var stored = try store.loadPod(key)
            if stored.metadata.deletionTimestamp != nil {
                throw MinipodError(.alreadyExists, "pods \"\(stored.metadata.name)\" is being deleted; wait for it to go, then apply again")
            }
            switch PodUpdateRules.compare(desired: desired, stored: stored) {
            case .unchanged:
                return .unchanged
            case .forbidden(let paths):
                throw MinipodError(.invalidManifest, PodUpdateRules.forbiddenMessage(pod: stored.metadata.name, paths: paths))
            case .metadata(let labels, let annotations):
                if check { return .configured }
                stored.metadata.labels = labels
                stored.metadata.annotations = annotations
                try store.save(stored, key: key)
                return .configured
            }
        }
    }
}
