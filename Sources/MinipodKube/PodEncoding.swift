import Foundation
import Yams

/// `-o json` and `-o yaml` as kubectl prints them: keys sorted, JSON
/// indented by four spaces, YAML multi-line strings as `|` blocks and
/// quoted strings in double quotes, as go-yaml writes them.
extension PodPrinter {
    public static func encodeJSON<T: Encodable>(_ value: T) throws -> String {
        let data = try JSONEncoder().encode(value)
        var out = ""
        JSONValue.write(try JSONDecoder().decode(JSONValue.self, from: data), indent: 0, to: &out)
        return out + "\n"
    }

    public static func encodeYAML<T: Encodable>(_ value: T) throws -> String {
        let plain = try YAMLEncoder().encode(value)
        guard let node = try Yams.compose(yaml: plain) else { return plain }
        return try Yams.serialize(node: literalBlocks(node), sortKeys: true)
    }

    private static func literalBlocks(_ node: Node) -> Node {
        switch node {
        case .scalar(var scalar):
            if scalar.string.contains("\n") {
                scalar.style = .literal
            } else if scalar.style == .singleQuoted {
                scalar.style = .doubleQuoted  // go-yaml quotes "2026-01-26T10:00:00Z" and "" this way
            }
            return .scalar(scalar)
        case .sequence(var sequence):
            for i in sequence.indices { sequence[i] = literalBlocks(sequence[i]) }
            return .sequence(sequence)
        case .mapping(let mapping):
            let pairs = mapping.map { ($0.key, literalBlocks($0.value)) }
            return .mapping(Node.Mapping(pairs, mapping.tag, mapping.style, mapping.mark))
        }
    }
}
