import MinipodSystem

/// kubectl's `-l` equality-based selectors: `k=v`, `k==v`, `k!=v`, `k` (has
/// the label), `!k` (lacks it), joined by commas (all must hold). Set-based
/// selectors (`k in (a,b)`) are refused by name.
public struct LabelSelector: Equatable, Sendable {
    enum Requirement: Equatable {
        case equals(String, String)
        case notEquals(String, String)
        case exists(String)
        case absent(String)
    }

    let requirements: [Requirement]

    public init(_ text: String) throws {
        requirements = try text.split(separator: ",").map { part in
            let term = part.trimmingCharacters(in: .whitespaces)
            func key(_ k: Substring) throws -> String {
                let name = k.trimmingCharacters(in: .whitespaces)
                if name.isEmpty || name.contains(" ") || name.contains("(") {
                    throw MinipodError(
                        .invalidArgument,
                        "unable to parse requirement \"\(term)\": minipod takes k=v, k==v, k!=v, k and !k (set-based selectors are not supported)")
                }
                return name
            }
            if let r = term.range(of: "!=") {
                return .notEquals(try key(term[..<r.lowerBound]), String(term[r.upperBound...]).trimmingCharacters(in: .whitespaces))
            }
            if let r = term.range(of: "==") {
                return .equals(try key(term[..<r.lowerBound]), String(term[r.upperBound...]).trimmingCharacters(in: .whitespaces))
            }
            if let r = term.range(of: "=") {
                return .equals(try key(term[..<r.lowerBound]), String(term[r.upperBound...]).trimmingCharacters(in: .whitespaces))
            }
            if term.hasPrefix("!") { return .absent(try key(term.dropFirst())) }
            return .exists(try key(Substring(term)))
        }
    }

    public func matches(_ labels: [String: String]?) -> Bool {
        let labels = labels ?? [:]
        return requirements.allSatisfy { r in
            switch r {
            case .equals(let k, let v): return labels[k] == v
            case .notEquals(let k, let v): return labels[k] != v
            case .exists(let k): return labels[k] != nil
            case .absent(let k): return labels[k] == nil
            }
        }
    }
}
