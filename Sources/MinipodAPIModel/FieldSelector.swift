import MinipodKube

/// `fieldSelector=metadata.name=x,status.phase!=Running`: the fields the API server
/// lets a selector name for each kind; any other field is refused, as there.
public struct FieldSelector: Equatable, Sendable {
    struct Term: Equatable {
        let field: String
        let value: String
        let equal: Bool
    }

    let terms: [Term]

    public static let podFields: Set<String> = [
        "metadata.name", "metadata.namespace", "spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
        "spec.serviceAccountName", "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName",
    ]
    public static let eventFields: Set<String> = [
        "metadata.name", "metadata.namespace", "involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
        "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
        "reason", "reportingComponent", "source", "type",
    ]
    public static let clusterFields: Set<String> = ["metadata.name"]

    public init(_ text: String?, allowed: Set<String>, kind: String) throws {
        var terms: [Term] = []
        for part in (text ?? "").split(separator: ",") where !part.isEmpty {
            let (field, value, equal): (Substring, Substring, Bool)
            if let range = part.range(of: "!=") {
                (field, value, equal) = (part[..<range.lowerBound], part[range.upperBound...], false)
            } else if let range = part.range(of: "==") ?? part.range(of: "=") {
                (field, value, equal) = (part[..<range.lowerBound], part[range.upperBound...], true)
            } else {
                throw APIStatus.badRequest("invalid field selector \"\(part)\": expected field=value")
            }
            let name = field.trimmingCharacters(in: .whitespaces)
            guard allowed.contains(name) else {
                throw APIStatus.badRequest("field label not supported: \(name)")
            }
            terms.append(Term(field: name, value: value.trimmingCharacters(in: .whitespaces), equal: equal))
        }
        self.terms = terms
    }

    public func matches(_ value: (String) -> String) -> Bool {
        terms.allSatisfy { ($0.value == value($0.field)) == $0.equal }
    }

    /// metadata.name=x, the form `kubectl wait` and `delete` watch one object with.
    public var name: String? { terms.first { $0.field == "metadata.name" && $0.equal }?.value }

    public static func podField(_ pod: Pod, _ field: String) -> String {
        switch field {
        case "metadata.name": return pod.metadata.name
        case "metadata.namespace": return pod.metadata.namespace ?? "default"
        case "spec.nodeName": return pod.spec.nodeName ?? ""
        case "spec.restartPolicy": return pod.spec.restartPolicy ?? "Always"
        case "spec.schedulerName": return "default-scheduler"
        case "spec.serviceAccountName": return "default"
        case "spec.hostNetwork": return pod.spec.hostNetwork == true ? "true" : "false"
        case "status.phase": return pod.status?.phase ?? ""
        case "status.podIP": return pod.status?.podIP ?? ""
        default: return ""
        }
    }

    /// A field of a JSON object by its dotted path (events, namespaces, nodes).
    public static func jsonField(_ object: [String: Any], _ field: String) -> String {
        var current: Any? = object
        for part in field.split(separator: ".") { current = (current as? [String: Any])?[String(part)] }
        if let text = current as? String { return text }
        return current.map { "\($0)" } ?? ""
    }
}
