import Yams

/// Yams errors print the whole offending line with a caret; a manifest error
/// wants one line: where, and what libyaml said.
enum YAMLErrorText {
    static func describe(_ error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            var text = "not valid YAML: line \(mark.line), column \(mark.column): \(problem)"
            if let context { text += " (\(context.text))" }
            return text
        case .reader(let problem, let offset, _, _):
            return "not valid YAML: \(problem)" + (offset.map { " at byte \($0)" } ?? "")
        default:
            return "not valid YAML: \(error)"
        }
    }
}
