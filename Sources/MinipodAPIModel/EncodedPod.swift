import Foundation
import MinipodKube

/// A pod with its JSON made once per version, so a list of many pods copies bytes
/// instead of encoding each pod again for every request.
public final class EncodedPod: @unchecked Sendable {
    public let pod: Pod
    public let json: Data
    public let metadataJSON: Data

    public init(_ pod: Pod) {
        self.pod = pod
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        json = (try? encoder.encode(pod)) ?? Data("{}".utf8)
        metadataJSON = (try? encoder.encode(pod.metadata)) ?? Data("{}".utf8)
    }
}

/// Where the server keeps the store's pods in memory (the change feed); lists come
/// from it, with the resourceVersion of what it has read, so a watch from that
/// version misses nothing.
public protocol PodCache: Sendable {
    func snapshot(namespace: String?) -> (pods: [EncodedPod], resourceVersion: Int)
}

/// Lists written out by hand from each pod's cached JSON.
public enum ListJSON {
    public enum IncludeObject: String {
        case none = "None", metadata = "Metadata", object = "Object"

        public init(_ parameter: String?) { self = IncludeObject(rawValue: parameter ?? "") ?? .metadata }
    }

    public static func podList(_ pods: [EncodedPod], resourceVersion: String) -> Data {
        var out = Data(#"{"apiVersion":"v1","items":["#.utf8)
        for (i, pod) in pods.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(pod.json)
        }
        out.append(Data(#"],"kind":"PodList","metadata":{"resourceVersion":"\#(resourceVersion)"}}"#.utf8))
        return out
    }

    /// The pods' Table; each row's object is the metadata only unless asked (the API server's default).
    static let podColumnsJSON: Data = {
        let columns = Tables.podColumns.map {
            ["name": $0.name, "type": $0.type, "format": $0.name == "Name" ? "name" : "", "description": $0.description, "priority": $0.priority]
                as [String: Any]
        }
        return (try? JSONSerialization.data(withJSONObject: columns, options: [.sortedKeys])) ?? Data("[]".utf8)
    }()

    public static func podTable(_ pods: [EncodedPod], resourceVersion: String, include: IncludeObject, now: Date = Date()) -> Data {
        var out = Data(#"{"apiVersion":"meta.k8s.io/v1","columnDefinitions":"#.utf8)
        out.append(podColumnsJSON)
        out.append(Data(#","kind":"Table","metadata":{"resourceVersion":"\#(resourceVersion)"},"rows":["#.utf8))
        for (i, entry) in pods.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(Data(#"{"cells":["#.utf8))
            for (j, cell) in Tables.podCells(entry.pod, now: now).enumerated() {
                if j > 0 { out.append(UInt8(ascii: ",")) }
                appendString("\(cell)", to: &out)
            }
            out.append(UInt8(ascii: "]"))
            switch include {
            case .none: break
            case .metadata:
                out.append(Data(#","object":{"apiVersion":"meta.k8s.io/v1","kind":"PartialObjectMetadata","metadata":"#.utf8))
                out.append(entry.metadataJSON)
                out.append(UInt8(ascii: "}"))
            case .object:
                out.append(Data(#","object":"#.utf8))
                out.append(entry.json)
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(Data("]}".utf8))
        return out
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped.
    static func appendString(_ text: String, to out: inout Data) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5c, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5c, 0x5c])
            case 0..<0x20: out.append(contentsOf: Array(String(format: "\\u%04x", byte).utf8))
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
