import Foundation
import Yams

/// Turns a composed YAML node into JSON-ready values (for JSONDecoder) while
/// checking it against ManifestSchema: wrong types, unknown, duplicate and
/// unsupported fields become problems with their paths.
struct SchemaWalker {
    var errors: [FieldProblem] = []
    var warnings: [FieldProblem] = []
    let strict: Bool

    init(strict: Bool) { self.strict = strict }

    mutating func object(_ node: Node, _ schema: ObjectSchema, path: String) -> [String: Any]? {
        guard case .mapping(let mapping) = node else {
            if !isNull(node) { typeError(path, "a mapping", node) }
            return nil
        }
        var result: [String: Any] = [:]
        var seen = Set<String>()
        for (keyNode, value) in pairs(of: mapping) {
            let key = keyNode.scalar?.string ?? "\(keyNode)"
            let fieldPath = path.isEmpty ? key : "\(path).\(key)"
            if !seen.insert(key).inserted {
                loose(FieldProblem("", "duplicate field \"\(fieldPath)\""))
                continue
            }
            guard let type = schema.fields[key] else {
                var message = "unknown field \"\(fieldPath)\""
                if let guess = Spelling.closest(to: key, in: schema.fields.keys) {
                    message += " (did you mean \"\(guess)\"?)"
                }
                loose(FieldProblem("", message))
                continue
            }
            if let converted = convert(value, type, path: fieldPath) {
                result[key] = converted
            }
        }
        for key in schema.required where result[key] == nil {
            if let type = schema.fields[key] { result[key] = Self.emptyValue(type) }
        }
        return result
    }

    mutating func convert(_ node: Node, _ type: FieldType, path: String) -> Any? {
        switch type {
        case .serverSet:
            return nil
        case .ignored(let why):
            warnings.append(FieldProblem(path, why))
            return nil
        case .unsupported(let why):
            errors.append(FieldProblem(path, why))
            return nil
        default:
            break
        }
        if isNull(node) { return nil }
        switch type {
        case .string: return string(node, path: path)
        case .integer: return integer(node, path: path)
        case .boolean:
            guard let scalar = node.scalar, tag(node) == .bool, let value = Bool.construct(from: scalar) else {
                return typeError(path, "true or false", node)
            }
            return value
        case .intOrString:
            if tag(node) == .int { return integer(node, path: path) }
            if tag(node) == .str { return node.scalar?.string }
            return typeError(path, "an integer or a string", node)
        case .quantity:
            guard let scalar = node.scalar, [.str, .int, .float].contains(tag(node)) else {
                return typeError(path, "a quantity such as 128Mi or 500m", node)
            }
            return scalar.string
        case .stringList: return list(node, .string, path: path)
        case .integerList: return list(node, .integer, path: path)
        case .stringMap: return map(node, .string, path: path)
        case .quantityMap: return map(node, .quantity, path: path)
        case .object(let schema): return object(node, schema, path: path)
        case .list(let element): return list(node, element, path: path)
        case .unsupported, .ignored, .serverSet: return nil
        }
    }

    // MARK: - Pieces

    private mutating func string(_ node: Node, path: String) -> Any? {
        guard let scalar = node.scalar, [.str, .timestamp, .value].contains(tag(node)) else {
            if let scalar = node.scalar {
                // `version: 1` is the classic: Kubernetes rejects it too.
                errors.append(FieldProblem(path, "expected a string, got \(scalar.string) (quote it: \"\(scalar.string)\")"))
                return nil
            }
            return typeError(path, "a string", node)
        }
        return scalar.string
    }

    private mutating func integer(_ node: Node, path: String) -> Any? {
        guard let scalar = node.scalar, tag(node) == .int else { return typeError(path, "an integer", node) }
        guard let value = Int.construct(from: scalar) else {
            errors.append(FieldProblem(path, "integer \(scalar.string) is out of range"))
            return nil
        }
        return value
    }

    private mutating func list(_ node: Node, _ element: FieldType, path: String) -> Any? {
        guard case .sequence(let sequence) = node else { return typeError(path, "a list", node) }
        var result: [Any] = []
        for (index, item) in sequence.enumerated() {
            let itemPath = "\(path)[\(index)]"
            if isNull(item) {
                errors.append(FieldProblem(itemPath, "null is not allowed in a list"))
            } else if let value = convert(item, element, path: itemPath) {
                result.append(value)
            }
        }
        return result
    }

    private mutating func map(_ node: Node, _ valueType: FieldType, path: String) -> Any? {
        guard case .mapping(let mapping) = node else { return typeError(path, "a mapping", node) }
        var result: [String: Any] = [:]
        for (keyNode, value) in pairs(of: mapping) {
            let key = keyNode.scalar?.string ?? "\(keyNode)"
            let valuePath = "\(path).\(key)"
            if result[key] != nil {
                loose(FieldProblem("", "duplicate field \"\(valuePath)\""))
            } else if let converted = convert(value, valueType, path: valuePath) {
                result[key] = converted
            } else if isNull(value) {
                result[key] = ""  // `key:` with no value is "" in a Kubernetes string map
            }
        }
        return result
    }

    /// The value a mapping's field has for the walk: the first explicit one, else a merged one.
    /// Yams' `node[key]` returns the last of duplicated keys; anything deciding what a document
    /// is (apiVersion, kind, items) must read the value the walk keeps.
    static func field(_ key: String, of node: Node) -> Node? {
        guard case .mapping(let mapping) = node else { return nil }
        return pairs(of: mapping).first { $0.0.scalar?.string == key }?.1
    }

    /// Mapping pairs with YAML merge keys (`<<: *base`) expanded; explicit keys win.
    private func pairs(of mapping: Node.Mapping) -> [(Node, Node)] { Self.pairs(of: mapping) }

    private static func pairs(of mapping: Node.Mapping) -> [(Node, Node)] {
        var explicit: [(Node, Node)] = []
        var merged: [(Node, Node)] = []
        for (key, value) in mapping {
            if key.scalar != nil, tag(key) == .merge {
                let sources: [Node] = value.sequence.map { Array($0) } ?? [value]
                for case .mapping(let source) in sources { merged.append(contentsOf: pairs(of: source)) }
            } else {
                explicit.append((key, value))
            }
        }
        let explicitKeys = Set(explicit.compactMap { $0.0.scalar?.string })
        var mergedKeys = Set<String>()
        let extra = merged.filter { pair in
            guard let key = pair.0.scalar?.string else { return true }
            return !explicitKeys.contains(key) && mergedKeys.insert(key).inserted
        }
        return explicit + extra
    }

    /// Unknown and duplicate fields: warnings, or errors under strict.
    private mutating func loose(_ problem: FieldProblem) {
        if strict { errors.append(problem) } else { warnings.append(problem) }
    }

    @discardableResult
    private mutating func typeError(_ path: String, _ expected: String, _ node: Node) -> Any? {
        errors.append(FieldProblem(path, "expected \(expected), got \(Self.describe(node))"))
        return nil
    }

    private static func emptyValue(_ type: FieldType) -> Any {
        switch type {
        case .integer, .intOrString: return 0
        case .boolean: return false
        case .list, .stringList, .integerList: return [Any]()
        case .object(let schema):
            var result: [String: Any] = [:]
            for key in schema.required { if let type = schema.fields[key] { result[key] = emptyValue(type) } }
            return result
        case .stringMap, .quantityMap: return [String: Any]()
        default: return ""
        }
    }

    private func isNull(_ node: Node) -> Bool {
        node.scalar != nil && tag(node) == .null
    }

    static func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let scalar):
            return tag(node) == .str ? "\"\(scalar.string)\"" : scalar.string
        }
    }

    func tag(_ node: Node) -> Tag.Name { Self.tag(node) }

    /// Yams resolves plain scalars lazily; quoted ones already carry `str`.
    static func tag(_ node: Node) -> Tag.Name {
        let explicit = Tag.Name(rawValue: node.tag.description)
        if explicit == .nonSpecific { return node.scalar != nil ? .str : explicit }
        if explicit != .implicit { return explicit }
        return Resolver.default.resolveTag(of: node)
    }
}
