/// The pods `get pods NAME...` asked for, in the order asked, and the names
/// no pod has: kubectl prints the pods it found and then a NotFound error for
/// each missing name, instead of failing on the first.
public struct NamedPods: Equatable, Sendable {
    public var found: [Pod]
    public var missing: [String]

    public init(_ pods: [Pod], names: [String]) {
        found = []
        missing = []
        for name in names {
            if let pod = pods.first(where: { $0.metadata.name == name }) { found.append(pod) } else { missing.append(name) }
        }
    }

    /// What kubectl prints on stderr for a missing name.
    public static func notFound(_ name: String) -> String { "Error from server (NotFound): pods \"\(name)\" not found" }
}
