import MinipodSystem

/// One thing wrong (or dubious) in a manifest, at a field path such as
/// `spec.containers[1].volumeMounts[0].name`.
public struct FieldProblem: Equatable, Sendable, CustomStringConvertible {
    /// Empty when the message names the field itself (`unknown field "spec.x"`).
    public var path: String
    public var message: String

    public init(_ path: String, _ message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }

    /// One problem keeps its path in `field`; several become one message, a line each.
    static func error(_ problems: [FieldProblem]) -> MinipodError {
        if problems.count == 1, !problems[0].path.isEmpty {
            return MinipodError(.invalidManifest, problems[0].message, field: problems[0].path)
        }
        return MinipodError(.invalidManifest, problems.map(\.description).joined(separator: "\n"))
    }

    /// Lines already carry their document prefix; `field` holds the file so
    /// the error prints as `file: path: message`, and later lines repeat the
    /// file so each line stands alone.
    static func error(lines: [String], source: String) -> MinipodError {
        let message = lines.enumerated()
            .map { $0.offset == 0 ? $0.element : "\(source): \($0.element)" }
            .joined(separator: "\n")
        return MinipodError(.invalidManifest, message, field: source)
    }
}
