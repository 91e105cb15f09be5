import Foundation

/// What `apply` may do to a pod that already runs, by the API server's rules
/// for Pod updates: labels and annotations change in place; the spec of a
/// running pod is immutable (Kubernetes lets only images, activeDeadlineSeconds,
/// tolerations and terminationGracePeriodSeconds move, and minipod none of
/// them: a new image needs the pod deleted and applied again).
public enum PodUpdateRules {
    public enum Outcome: Equatable {
        case unchanged
        /// Labels and annotations to store: the manifest's, as kubectl apply sets them.
        case metadata(labels: [String: String]?, annotations: [String: String]?)
        /// Spec paths that differ (e.g. "spec.containers[0].image"); the update is refused.
        case forbidden([String])
    }

    /// `desired` and `stored` both have defaults applied; fields the runtime
    /// fills in when it creates a pod (nodeName) count as unchanged when the
    /// manifest leaves them out.
    public static func compare(desired: Pod, stored: Pod) -> Outcome {
        var spec = desired.spec
        if spec.nodeName == nil { spec.nodeName = stored.spec.nodeName }
        if spec != stored.spec {
            return .forbidden(differences(spec, stored.spec))
        }
        if (desired.metadata.labels ?? [:]) == (stored.metadata.labels ?? [:])
            && (desired.metadata.annotations ?? [:]) == (stored.metadata.annotations ?? [:]) {
            return .unchanged
        }
        return .metadata(labels: desired.metadata.labels, annotations: desired.metadata.annotations)
    }

    /// The message kubectl prints for a forbidden Pod update, with the paths that differ.
    public static func forbiddenMessage(pod: String, paths: [String]) -> String {
        "The Pod \"\(pod)\" is invalid: spec: Forbidden: pod updates may not change fields of a running pod "
            + "(changed: \(paths.joined(separator: ", "))); to change them, delete the pod and apply the manifest again"
    }

    /// Paths of the differing fields: per container and field where they differ
    /// there, otherwise the top-level spec field.
    static func differences(_ a: PodSpec, _ b: PodSpec) -> [String] {
        let left = jsonObject(a), right = jsonObject(b)
        var paths: [String] = []
        for key in Set(left.keys).union(right.keys).sorted() where !same(left[key], right[key]) {
            if ["containers", "initContainers"].contains(key),
               let l = left[key] as? [[String: Any]], let r = right[key] as? [[String: Any]], l.count == r.count {
                for (i, (lc, rc)) in zip(l, r).enumerated() {
                    for field in Set(lc.keys).union(rc.keys).sorted() where !same(lc[field], rc[field]) {
                        paths.append("spec.\(key)[\(i)].\(field)")
                    }
                }
            } else {
                paths.append("spec.\(key)")
            }
        }
        return paths
    }

    private static func jsonObject(_ spec: PodSpec) -> [String: Any] {
        guard let data = try? JSONEncoder().encode(spec),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
        return object
    }

    private static func same(_ a: Any?, _ b: Any?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case let (a?, b?): return canonical(a) == canonical(b)
        default: return false
        }
    }

    private static func canonical(_ value: Any) -> Data? {
        try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])
    }
}
