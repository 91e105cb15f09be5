import Foundation
import MinipodKube
import MinipodSystem

/// Namespaces as the API shows them: the ones every cluster has, the ones
/// created through the API (a file each under the state root), and any a pod
/// made with `minipod run -n NS` lives in.
public struct NamespaceStore: Sendable {
    public static let builtIn = ["default", "kube-node-lease", "kube-public", "kube-system"]
    let paths: PodPaths
    var directory: String { paths.state + "/namespaces" }

    public init(paths: PodPaths) { self.paths = paths }

    public struct Entry: Equatable, Sendable {
        public var name: String
        public var created: String
        /// Deleted, waiting for its pods to go (then it is gone).
        public var terminating = false
    }

    static let terminatingMark = ".terminating"

    public func list() -> [Entry] {
        let files = ((try? FileIO.listDirectory(directory)) ?? []).filter { !$0.contains(".tmp.") }
        let stored = files.filter { !$0.hasSuffix(Self.terminatingMark) }
        let terminating = Set(files.filter { $0.hasSuffix(Self.terminatingMark) }.map { String($0.dropLast(Self.terminatingMark.count)) })
        let fromPods = Set(PodStore(paths: paths).keys().compactMap { $0.split(separator: "_", maxSplits: 1).first.map(String.init) })
        // A deleted namespace is gone once its last pod is.
        for name in terminating where !fromPods.contains(name) { unlink(directory + "/" + name + Self.terminatingMark) }
        let names = Set(Self.builtIn + stored + fromPods)
        return names.sorted().map { Entry(name: $0, created: created($0), terminating: terminating.contains($0)) }
    }

    public func exists(_ name: String) -> Bool { list().contains { $0.name == name } }

    private func created(_ name: String) -> String {
        (try? FileIO.readString(directory + "/" + name)).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            ?? Self.startOfState(paths)
    }

    /// When the state root was made (the cluster's namespaces are as old as it).
    static func startOfState(_ paths: PodPaths) -> String {
        var st = stat()
        guard stat(paths.state, &st) == 0 else { return KubeTime.now() }
        return KubeTime.format(Date(timeIntervalSince1970: TimeInterval(st.st_mtim.tv_sec)))
    }

    public func create(_ name: String) throws -> Entry {
        if let problem = NameRules.dnsLabel(name) {
            throw MinipodError(.invalidManifest, problem, field: "metadata.name")
        }
        if exists(name) { throw MinipodError(.alreadyExists, "namespaces \"\(name)\" already exists") }
        try FileIO.makeDirectories(directory)
        let now = KubeTime.now()
        try FileIO.writeAtomically(directory + "/" + name, now + "\n")
        return Entry(name: name, created: now)
    }

    /// Forgets the namespace; its pods are the caller's to delete.
    public func remove(_ name: String) throws {
        if Self.builtIn.contains(name) {
            throw MinipodError(.invalidArgument, "namespaces \"\(name)\" is forbidden: this namespace may not be deleted")
        }
        guard exists(name) else { throw MinipodError(.notFound, "namespaces \"\(name)\" not found") }
        try FileIO.makeDirectories(directory)
        rename(directory + "/" + name, directory + "/" + name + Self.terminatingMark)
        if !FileIO.exists(directory + "/" + name + Self.terminatingMark) {
            try FileIO.writeAtomically(directory + "/" + name + Self.terminatingMark, KubeTime.now() + "\n")
        }
    }
}
