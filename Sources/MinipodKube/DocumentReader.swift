import Foundation
import Yams

/// One YAML document → Pods: checks bounds, apiVersion and kind, walks the
/// schema, decodes, then runs PodValidator; collects every problem.
struct DocumentReader {
    var errors: [FieldProblem] = []
    var warnings: [FieldProblem] = []
    let strict: Bool

    init(strict: Bool) { self.strict = strict }

    mutating func read(_ node: Node) -> [Pod] {
        if let problem = YAMLLimits.check(node) {
            errors.append(FieldProblem("", problem))
            return []
        }
        guard case .mapping = node else {
            errors.append(FieldProblem("", "expected a Pod (a mapping with apiVersion, kind, metadata, spec), got \(SchemaWalker.describe(node))"))
            return []
        }
        guard let kind = header(node) else { return [] }
        if kind == "Pod" { return readPod(node, path: "").map { [$0] } ?? [] }
        // kind: List, as `kubectl get pods -o yaml` writes.
        guard let items = SchemaWalker.field("items", of: node) else { return [] }
        guard case .sequence(let sequence) = items else {
            errors.append(FieldProblem("items", "expected a list, got \(SchemaWalker.describe(items))"))
            return []
        }
        var pods: [Pod] = []
        for (index, item) in sequence.enumerated() {
            let path = "items[\(index)]"
            guard case .mapping = item else {
                errors.append(FieldProblem(path, "expected a Pod, got \(SchemaWalker.describe(item))"))
                continue
            }
            let before = errors.count
            guard let itemKind = header(item, path: path + ".") else { continue }
            if itemKind != "Pod" {
                if errors.count == before {
                    errors.append(FieldProblem(path, "kind \"\(itemKind)\" is not supported by minipod (only Pod)"))
                }
                continue
            }
            if let pod = readPod(item, path: path) { pods.append(pod) }
        }
        return pods
    }

    /// Checks apiVersion and kind; returns "Pod" or "List" when both are usable.
    private mutating func header(_ node: Node, path: String = "") -> String? {
        let apiVersion = scalarString(SchemaWalker.field("apiVersion", of: node))
        let kind = scalarString(SchemaWalker.field("kind", of: node))
        if apiVersion == nil { errors.append(FieldProblem(path + "apiVersion", "is required (apiVersion: v1)")) }
        if kind == nil { errors.append(FieldProblem(path + "kind", "is required (kind: Pod)")) }
        guard let apiVersion, let kind else { return nil }
        guard kind == "Pod" || (kind == "List" && path.isEmpty) else {
            errors.append(
                FieldProblem(
                    path.isEmpty ? "" : String(path.dropLast()),
                    "kind \"\(kind)\" is not supported by minipod (only Pod)"))
            return nil
        }
        guard apiVersion == "v1" else {
            errors.append(
                FieldProblem(
                    path.isEmpty ? "" : path + "apiVersion",
                    "apiVersion \"\(apiVersion)\" is not supported, use \"v1\""))
            return nil
        }
        return kind
    }

    private mutating func readPod(_ node: Node, path: String) -> Pod? {
        var walker = SchemaWalker(strict: strict)
        let object = walker.object(node, ManifestSchema.pod, path: path)
        warnings += walker.warnings
        errors += walker.errors
        guard let object else { return nil }
        let pod: Pod
        do {
            let data = try JSONSerialization.data(withJSONObject: object)
            pod = try JSONDecoder().decode(Pod.self, from: data)
        } catch {
            errors.append(FieldProblem(path, "cannot decode the Pod: \(error)"))
            return nil
        }
        // A field already reported (mistyped, unsupported) is missing now:
        // skip what the validator says about it or about its parent.
        let reported = walker.errors.map(\.path).filter { !$0.isEmpty }
        let prefix = path.isEmpty ? "" : path + "."
        for problem in PodValidator.problems(in: pod) {
            let full = FieldProblem(problem.path.isEmpty ? path : prefix + problem.path, problem.message)
            if !reported.contains(where: { Self.related(full.path, $0) }) {
                errors.append(full)
            }
        }
        return walker.errors.isEmpty ? pod : nil
    }

    /// Same field, or one inside the other.
    static func related(_ a: String, _ b: String) -> Bool {
        let (short, long) = a.count <= b.count ? (a, b) : (b, a)
        return short == long || long.hasPrefix(short + ".") || long.hasPrefix(short + "[")
    }

    private func scalarString(_ node: Node?) -> String? {
        guard let node, let scalar = node.scalar, SchemaWalker.tag(node) != .null else { return nil }
        return scalar.string
    }
}
