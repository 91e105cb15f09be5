import Foundation

/// The three patch types kubectl sends, applied to a Pod as JSON: `apply` sends a
/// strategic merge patch of its three-way diff, `label`/`annotate` a merge patch,
/// `patch --type=json` a JSON patch.
public enum Patches {
    public enum Kind: String {
        case merge = "application/merge-patch+json"
        case strategic = "application/strategic-merge-patch+json"
        case json = "application/json-patch+json"
        case apply = "application/apply-patch+yaml"

        public init?(contentType: String) {
            let bare = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            self.init(rawValue: bare)
        }
    }

    public static func apply(_ kind: Kind, patch: Data, to object: [String: Any]) throws -> [String: Any] {
        guard let decoded = try? JSONSerialization.jsonObject(with: patch, options: [.fragmentsAllowed]) else {
            throw APIStatus.badRequest("the patch is not valid JSON")
        }
        switch kind {
        case .merge:
            guard let p = decoded as? [String: Any] else { throw APIStatus.badRequest("a merge patch must be a JSON object") }
            return mergePatch(object, p)
        case .strategic:
            guard let p = decoded as? [String: Any] else { throw APIStatus.badRequest("a strategic merge patch must be a JSON object") }
            return try strategicMerge(object, p)
        case .json:
            guard let operations = decoded as? [[String: Any]] else { throw APIStatus.badRequest("a JSON patch must be an array of operations") }
            guard let result = try jsonPatch(object, operations) as? [String: Any] else { throw APIStatus.badRequest("the patch left no object") }
            return result
        case .apply:
            throw APIStatus(
                code: 415, reason: "UnsupportedMediaType",
                message: "server-side apply is not supported by minipod; use kubectl apply without --server-side")
        }
    }

    // MARK: RFC 7386

    public static func mergePatch(_ target: Any?, _ patch: Any) -> [String: Any] {
        mergeValue(target, patch) as? [String: Any] ?? [:]
    }

    static func mergeValue(_ target: Any?, _ patch: Any) -> Any {
        guard let patch = patch as? [String: Any] else { return patch }
        var result = target as? [String: Any] ?? [:]
        for (key, value) in patch {
            if value is NSNull { result.removeValue(forKey: key) } else { result[key] = mergeValue(result[key], value) }
        }
        return result
    }

    // MARK: strategic merge patch

    /// Lists merged element by element on these keys (the Pod type's patchMergeKey tags); other lists are replaced.
    static let mergeKeys: [String: String] = [
        "containers": "name", "initContainers": "name", "ephemeralContainers": "name", "volumes": "name",
        "env": "name", "imagePullSecrets": "name", "volumeMounts": "mountPath", "volumeDevices": "devicePath",
        "ports": "containerPort", "hostAliases": "ip", "conditions": "type", "ownerReferences": "uid",
        "resourceClaims": "name", "topologySpreadConstraints": "topologyKey",
    ]

    static func strategicMerge(_ target: [String: Any], _ patch: [String: Any]) throws -> [String: Any] {
        if let directive = patch["$patch"] as? String {
            switch directive {
            case "replace": return patch.filter { $0.key != "$patch" }
            case "delete": return [:]
            case "merge": break
            default: throw APIStatus.badRequest("unknown patch directive \"\(directive)\"")
            }
        }
        var result = target
        for (key, value) in patch where key != "$patch" {
            if key.hasPrefix("$setElementOrder/") || key == "$retainKeys" { continue }
            if key.hasPrefix("$deleteFromPrimitiveList/") {
                let field = String(key.dropFirst("$deleteFromPrimitiveList/".count))
                let remove = (value as? [Any] ?? []).map { "\($0)" }
                result[field] = (result[field] as? [Any] ?? []).filter { !remove.contains("\($0)") }
                continue
            }
            if value is NSNull {
                result.removeValue(forKey: key)
            } else if let map = value as? [String: Any] {
                let merged = try strategicMerge(result[key] as? [String: Any] ?? [:], map)
                if map["$patch"] as? String == "delete" { result.removeValue(forKey: key) } else { result[key] = merged }
            } else if let list = value as? [Any], let mergeKey = mergeKeys[key] {
                result[key] = try mergeList(result[key] as? [Any] ?? [], list, on: mergeKey)
            } else {
                result[key] = value
            }
        }
        return result
    }

    static func mergeList(_ target: [Any], _ patch: [Any], on mergeKey: String) throws -> [Any] {
        if patch.contains(where: { ($0 as? [String: Any])?["$patch"] as? String == "replace" }) {
            return patch.filter { ($0 as? [String: Any])?["$patch"] == nil }
        }
        var result = target
        for item in patch {
            guard let element = item as? [String: Any], let keyValue = element[mergeKey] else {
                result.append(item)
                continue
            }
            let index = result.firstIndex { ($0 as? [String: Any]).map { "\($0[mergeKey] ?? "")" == "\(keyValue)" } ?? false }
            if element["$patch"] as? String == "delete" {
                if let index { result.remove(at: index) }
            } else if let index {
                result[index] = try strategicMerge(result[index] as? [String: Any] ?? [:], element)
            } else {
                result.append(try strategicMerge([:], element))
            }
        }
        return result
    }

    // MARK: RFC 6902

    static func jsonPatch(_ document: Any, _ operations: [[String: Any]]) throws -> Any {
        var doc = document
        for op in operations {
            guard let name = op["op"] as? String, let path = op["path"] as? String else {
                throw APIStatus.badRequest("a JSON patch operation needs \"op\" and \"path\"")
            }
            let pointer = try parsePointer(path)
            switch name {
            case "add": doc = try set(doc, pointer, try required(op, "value"), insert: true)
            case "replace":
                _ = try get(doc, pointer)
                doc = try set(doc, pointer, try required(op, "value"), insert: false)
            case "remove": doc = try remove(doc, pointer)
            case "test":
                guard "\(try get(doc, pointer))" == "\(try required(op, "value"))" else {
                    throw APIStatus(code: 422, reason: "Invalid", message: "the JSON patch test at \(path) failed")
                }
            case "move", "copy":
                guard let from = op["from"] as? String else { throw APIStatus.badRequest("\(name) needs \"from\"") }
                let source = try parsePointer(from)
                let value = try get(doc, source)
                if name == "move" { doc = try remove(doc, source) }
                doc = try set(doc, pointer, value, insert: true)
            default:
                throw APIStatus.badRequest("unknown JSON patch operation \"\(name)\"")
            }
        }
        return doc
    }

    static func required(_ op: [String: Any], _ key: String) throws -> Any {
        guard let value = op[key] else { throw APIStatus.badRequest("a JSON patch \(op["op"] ?? "") operation needs \"\(key)\"") }
        return value
    }

    static func parsePointer(_ path: String) throws -> [String] {
        if path.isEmpty { return [] }
        guard path.hasPrefix("/") else { throw APIStatus.badRequest("JSON pointer \"\(path)\" must start with /") }
        return path.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    static func get(_ doc: Any, _ pointer: [String]) throws -> Any {
        var current = doc
        for token in pointer {
            if let map = current as? [String: Any], let next = map[token] {
                current = next
            } else if let list = current as? [Any], let i = Int(token), list.indices.contains(i) {
                current = list[i]
            } else {
                throw APIStatus(code: 422, reason: "Invalid", message: "the JSON patch path /\(pointer.joined(separator: "/")) does not exist")
            }
        }
        return current
    }

    static func set(_ doc: Any, _ pointer: [String], _ value: Any, insert: Bool) throws -> Any {
        guard let token = pointer.first else { return value }
        let rest = Array(pointer.dropFirst())
        if var map = doc as? [String: Any] {
            if rest.isEmpty {
                map[token] = value
            } else {
                guard let child = map[token] else { throw APIStatus(code: 422, reason: "Invalid", message: "the JSON patch path has no \(token)") }
                map[token] = try set(child, rest, value, insert: insert)
            }
            return map
        }
        if var list = doc as? [Any] {
            if rest.isEmpty {
                if token == "-" {
                    list.append(value)
                    return list
                }
                guard let i = Int(token), i >= 0, i <= list.count, insert || i < list.count else {
                    throw APIStatus(code: 422, reason: "Invalid", message: "the JSON patch index \(token) is out of range")
                }
                if insert { list.insert(value, at: i) } else { list[i] = value }
                return list
            }
            guard let i = Int(token), list.indices.contains(i) else {
                throw APIStatus(code: 422, reason: "Invalid", message: "the JSON patch index \(token) is out of range")
            }
            list[i] = try set(list[i], rest, value, insert: insert)
            return list
        }
        throw APIStatus(code: 422, reason: "Invalid", message: "the JSON patch path goes through a value")
    }

    static func remove(_ doc: Any, _ pointer: [String]) throws -> Any {
        _ = try get(doc, pointer)
        guard let token = pointer.first else { return NSNull() }
        let rest = Array(pointer.dropFirst())
        if var map = doc as? [String: Any] {
            if rest.isEmpty { map.removeValue(forKey: token) } else { map[token] = try remove(map[token]!, rest) }
            return map
        }
        if var list = doc as? [Any], let i = Int(token) {
            if rest.isEmpty { list.remove(at: i) } else { list[i] = try remove(list[i], rest) }
            return list
        }
        return doc
    }
}
