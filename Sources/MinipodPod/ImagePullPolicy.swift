import Foundation
import MinipodImage
import MinipodSystem

/// imagePullPolicy as kubelet applies it, when `minipod run|apply` prepares a pod:
///
/// | policy       | image present here      | image absent                                             |
/// |--------------|-------------------------|----------------------------------------------------------|
/// | Never        | use it                  | ErrImageNeverPull: load it                               |
/// | IfNotPresent | use it                  | pull if the name has a registry host (`HOST/NAME:TAG`),  |
/// |              |                         | else (docker.io implied) tell the user to load it        |
/// | Always       | pull, then use it       | pull                                                     |
///
/// A failed pull is ErrImagePull, with one exception that keeps the offline labs working:
/// a docker.io image (implied or spelt out) whose registry cannot be reached at all is used
/// from the local copy under Always, with a warning; absent, the error says to load it.
/// A registry that answers (not found, refused, bad digest) is never papered over.
/// The default policy is PodDefaults': Always for `:latest` or no tag, else IfNotPresent.
public struct ImagePullPolicy {
    public enum Plan: Equatable, Sendable {
        case useLocal
        case pull
        case failNeverPull  // Never, absent
        case failNotPresent  // IfNotPresent, absent, no registry to pull from
    }

    /// The decision before any I/O.
    public static func plan(policy: String, present: Bool, namesRegistry: Bool) -> Plan {
        switch policy {
        case "Never": return present ? .useLocal : .failNeverPull
        case "Always": return .pull
        default: return present ? .useLocal : (namesRegistry ? .pull : .failNotPresent)
        }
    }

    let store: ImageStore
    /// Pull progress and warnings, for the user (stderr).
    var report: (String) -> Void
    /// Each image is pulled once per pod, however many containers name it.
    private var pulled: Set<String> = []

    public init(store: ImageStore, report: @escaping (String) -> Void) {
        self.store = store
        self.report = report
    }

    /// Makes `image` present as its policy says, or throws the kubelet-style reason.
    public mutating func ensure(_ image: String, policy: String) throws {
        let ref = try ImageReference(parsing: image)
        if pulled.contains(ref.description) { return }
        let present = (try? store.resolve(image)) != nil
        switch Self.plan(policy: policy, present: present, namesRegistry: ref.namesRegistry) {
        case .useLocal:
            return
        case .failNeverPull:
            throw MinipodError(
                .notFound,
                "image \"\(image)\" is not present and imagePullPolicy is Never (ErrImageNeverPull); load it with `minipod image load FILE`")
        case .failNotPresent:
            _ = try store.resolve(image)  // throws the store's "is not present; load it" error
        case .pull:
            do {
                try store.pull(image, progress: report)
                pulled.insert(ref.description)
            } catch let error as MinipodError {
                let dockerIO = ref.domain == "docker.io"
                if dockerIO && error.code == .network && present {
                    report("Warning: \(error.message); using the local copy (imagePullPolicy \(policy))")
                    return
                }
                let hint = dockerIO && !present ? "; load it with `minipod image load FILE`" : ""
                throw MinipodError(error.code, "ErrImagePull: \(error.message) (imagePullPolicy \(policy))\(hint)")
            }
        }
    }
}
