import Foundation

/// What `apply` may do to a pod that already runs, by the API server's rules
/// for Pod updates: labels and annotations change in place, and so do the
/// images of containers and native sidecars (kubelet then restarts each such
/// container, whatever the restart policy). The rest of a running pod's spec
/// is immutable; Kubernetes also lets activeDeadlineSeconds, tolerations and
/// terminationGracePeriodSeconds move, and the images of ordinary init
/// containers, which have done their work: minipod refuses those.
public enum PodUpdateRules {
    public enum Outcome: Equatable {
        case unchanged
        /// Labels and annotations to store (the manifest's, as kubectl apply sets
        /// them) and the new image of each container whose image changed.
        case configured(labels: [String: String]?, annotations: [String: String]?, images: [String: String])
        /// Spec paths that differ (e.g. "spec.containers[0].image"); the update is refused.
        case forbidden([String])
    }

    /// `desired` and `stored` both have defaults applied; fields the runtime
    /// fills in when it creates a pod (nodeName) count as unchanged when the
    /// manifest leaves them out.
    public static func compare(desired: Pod, stored: Pod) -> Outcome {
        var spec = desired.spec
        if spec.nodeName == nil { spec.nodeName = stored.spec.nodeName }
        // Images that may change are compared apart: the rest of the spec must be equal.
        var images: [String: String] = [:]
        spec.containers = restoringImages(spec.containers, from: stored.spec.containers, changed: &images)
        if let initContainers = spec.initContainers, let storedInit = stored.spec.initContainers {
            let sidecars = initContainers.filter { $0.restartPolicy == "Always" }.map(\.name)
            var initImages: [String: String] = [:]
            spec.initContainers = restoringImages(initContainers, from: storedInit, changed: &initImages, only: Set(sidecars))
            images.merge(initImages) { new, _ in new }
        }
        if spec != stored.spec {
            return .forbidden(differences(spec, stored.spec))
        }
        if images.isEmpty && (desired.metadata.labels ?? [:]) == (stored.metadata.labels ?? [:])
            && (desired.metadata.annotations ?? [:]) == (stored.metadata.annotations ?? [:])
        {
            return .unchanged
        }
        return .configured(labels: desired.metadata.labels, annotations: desired.metadata.annotations, images: images)
    }

    /// `desired` with the stored image put back in every container (of the same
    /// name at the same place, and in `only` when given) whose image differs;
    /// the new images go to `changed`.
    private static func restoringImages(
        _ desired: [Container], from stored: [Container], changed: inout [String: String],
        only: Set<String>? = nil
    ) -> [Container] {
        var result = desired
        for i in result.indices
        where i < stored.count && stored[i].name == result[i].name
            && stored[i].image != result[i].image && only.map({ $0.contains(result[i].name) }) ?? true
        {
            changed[result[i].name] = result[i].image
            result[i].image = stored[i].image
        }
        return result
    }

    /// The message kubectl prints for a forbidden Pod update, with the paths that differ.
    public static func forbiddenMessage(pod: String, paths: [String]) -> String {
        "The Pod \"\(pod)\" is invalid: spec: Forbidden: pod updates may not change fields other than "
            + "the images of containers and native sidecars (changed: \(paths.joined(separator: ", "))); "
            + "to change them, delete the pod and apply the manifest again"
    }

    /// Paths of the differing fields: per container and field where they differ
    /// there, otherwise the top-level spec field.
    static func differences(_ a: PodSpec, _ b: PodSpec) -> [String] {
        let left = jsonObject(a)
        let right = jsonObject(b)
        var paths: [String] = []
        for key in Set(left.keys).union(right.keys).sorted() where !same(left[key], right[key]) {
            if ["containers", "initContainers"].contains(key),
                let l = left[key] as? [[String: Any]], let r = right[key] as? [[String: Any]], l.count == r.count
            {
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
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return [:] }
        return object
    }

    private static func same(_ a: Any?, _ b: Any?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case (let a?, let b?): return canonical(a) == canonical(b)
        default: return false
        }
    }

    private static func canonical(_ value: Any) -> Data? {
        try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])
    }
}
