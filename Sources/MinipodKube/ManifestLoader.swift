import Foundation
import MinipodSystem
import Yams

/// The Pods of one manifest file, in document order, and what the loader
/// wants the user to know but did not refuse (unknown fields unless strict,
/// fields minipod ignores). Pods are as written: PodDefaults not applied.
public struct ManifestLoad: Equatable, Sendable {
    public var pods: [Pod]
    /// One line each, `file: unknown field "spec.containers[0].volumeMount"`.
    public var warnings: [String]

    public init(pods: [Pod], warnings: [String]) {
        self.pods = pods
        self.warnings = warnings
    }
}

/// Reads Pod manifests (YAML or JSON, several `---` documents, or a v1 List)
/// and validates them. Every error is `.invalidManifest` with the file in
/// `field` and one line per problem: `sidecar.yaml: spec.x: message`.
public enum ManifestLoader {
    /// The path that means standard input, as kubectl's `-f -`.
    public static let standardInputPath = "-"
    /// How errors name standard input, where they would name a file.
    public static let standardInputSource = "<stdin>"

    public static func load(path: String, strict: Bool = false) throws -> ManifestLoad {
        if path == standardInputPath {
            let data = (try? FileHandle.standardInput.read(upToCount: YAMLLimits.maxBytes + 1)) ?? Data()
            return try load(data: data, source: standardInputSource, strict: strict)
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw MinipodError(.notFound, "cannot read manifest \(path)")
        }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: YAMLLimits.maxBytes + 1)) ?? Data()
        return try load(data: data, source: path, strict: strict)
    }

    /// The file's bytes as `load(path:)` read them: everything after the read,
    /// so the fuzz harness (Fuzz/manifest) feeds bytes through the same checks as `minipod run`.
    public static func load(data: Data, source: String, strict: Bool = false) throws -> ManifestLoad {
        guard data.count <= YAMLLimits.maxBytes else { throw tooLarge(source: source) }
        guard let text = String(data: data, encoding: .utf8) else {
            throw MinipodError(.invalidManifest, "not valid UTF-8 text", field: source)
        }
        return try parse(text, source: source, strict: strict)
    }

    public static func parse(_ text: String, source: String, strict: Bool = false) throws -> ManifestLoad {
        guard text.utf8.count <= YAMLLimits.maxBytes else { throw tooLarge(source: source) }
        guard YAMLLimits.estimatedDepth(text) <= YAMLLimits.maxEstimatedDepth else {
            throw MinipodError(.invalidManifest, YAMLLimits.tooDeep, field: source)
        }
        let documents: [Node]
        do {
            documents = try composeAll(text)
        } catch let error as YamlError {
            throw MinipodError(.invalidManifest, YAMLErrorText.describe(error), field: source)
        }
        guard !documents.isEmpty else {
            throw MinipodError(.invalidManifest, "no Pod found: the manifest is empty", field: source)
        }
        var pods: [Pod] = []
        var errors: [String] = []
        var warnings: [String] = []
        for (index, node) in documents.enumerated() {
            let prefix = documents.count > 1 ? "document \(index + 1): " : ""
            var reader = DocumentReader(strict: strict)
            pods += reader.read(node)
            errors += reader.errors.map { prefix + $0.description }
            warnings += reader.warnings.map { "\(source): \(prefix)\($0.description)" }
        }
        if !errors.isEmpty { throw FieldProblem.error(lines: errors, source: source) }
        return ManifestLoad(pods: pods, warnings: warnings)
    }

    /// Empty documents (`---` with nothing after it) are skipped, as kubectl does.
    private static func composeAll(_ text: String) throws -> [Node] {
        let parser = try Parser(yaml: text, resolver: .default, constructor: .default, encoding: .utf8)
        var nodes: [Node] = []
        while let node = try parser.nextRoot() {
            if node.scalar != nil, SchemaWalker.tag(node) == .null { continue }
            nodes.append(node)
        }
        return nodes
    }

    private static func tooLarge(source: String) -> MinipodError {
        MinipodError(.invalidManifest, "manifest is larger than 1 MiB", field: source)
    }
}
