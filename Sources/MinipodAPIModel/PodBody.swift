import Foundation
import MinipodKube
import MinipodSystem

/// A request body that must be one Pod, read by the same loader as `minipod run`
/// (limits, schema, validation), with the API server's answers: unknown fields
/// under fieldValidation=Strict are a 400 "strict decoding error", other
/// problems a 422 Invalid naming each field.
public enum PodBody {
    static let source = "body"

    public static func decode(_ data: Data, fieldValidation: String?) throws -> (pod: Pod, warnings: [String]) {
        let strict = fieldValidation == "Strict"
        let loaded: ManifestLoad
        do {
            loaded = try ManifestLoader.load(data: data, source: source, strict: strict)
        } catch let e as MinipodError {
            throw status(for: e, name: nameIn(data))
        }
        guard loaded.pods.count == 1 else {
            throw APIStatus.badRequest("the body must hold exactly one Pod, found \(loaded.pods.count)")
        }
        let warnings = fieldValidation == "Ignore" ? [] : loaded.warnings.map { line in strip(line) }
        return (loaded.pods[0], warnings)
    }

    static func strip(_ line: String) -> String {
        line.hasPrefix(source + ": ") ? String(line.dropFirst(source.count + 2)) : line
    }

    static func status(for e: MinipodError, name: String) -> APIStatus {
        var lines = e.message.split(separator: "\n").map { strip(String($0)) }
        if let field = e.field, field != source { lines = lines.map { "\(field): \($0)" } }
        let unknown = lines.filter { $0.hasPrefix("unknown field \"") }.map { line in
            // "unknown field "x" (did you mean ...)": the API server names the field only.
            line.components(separatedBy: " (did you mean").first ?? line
        }
        if !unknown.isEmpty {
            return APIStatus.badRequest("Pod in version \"v1\" cannot be handled as a Pod: strict decoding error: " + unknown.joined(separator: ", "))
        }
        let causes = lines.map { line -> APIStatus.Cause in
            let parts = line.components(separatedBy: ": ")
            if parts.count >= 2,
                parts[0].hasPrefix("spec") || parts[0].hasPrefix("metadata") || parts[0].hasPrefix("kind") || parts[0].hasPrefix("apiVersion")
            {
                return APIStatus.Cause(reason: "FieldValueInvalid", message: parts.dropFirst().joined(separator: ": "), field: parts[0])
            }
            return APIStatus.Cause(reason: "FieldValueInvalid", message: line, field: nil)
        }
        if causes.allSatisfy({ $0.field == nil }) {
            return APIStatus.badRequest(lines.joined(separator: "; "))
        }
        let text = causes.map { ($0.field.map { $0 + ": " } ?? "") + ($0.message ?? "") }.joined(separator: ", ")
        return APIStatus(
            code: 422, reason: "Invalid", message: "Pod \"\(name)\" is invalid: \(text)",
            details: APIStatus.Details(name: name, kind: "Pod", causes: causes))
    }

    /// metadata.name of a body the loader refused, for the Status's details (JSON bodies; YAML ones get "").
    static func nameIn(_ data: Data) -> String {
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        return (object?["metadata"] as? [String: Any])?["name"] as? String ?? ""
    }
}
