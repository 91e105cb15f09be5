import Foundation

/// kubectl 1.27 and 1.28 ask /openapi/v2, in protobuf only (gnostic's
/// openapi_v2.Document), whether the server validates fields itself; without an
/// answer, apply stops. One PATCH operation on pods that takes fieldValidation
/// says yes, as Discovery.openAPICore does for v3. Written by hand: the message
/// is five nested fields, and swift-protobuf would need gnostic's generated code.
public enum OpenAPIV2 {
    public static let contentType = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"

    public static let document: Data = {
        let queryParameter = message([(2, .text("query")), (4, .text("fieldValidation")), (6, .text("string"))])
        let nonBody = message([(3, .bytes(queryParameter))])
        let parameter = message([(2, .bytes(nonBody))])
        let parametersItem = message([(1, .bytes(parameter))])
        func vendorExtension(_ name: String, yaml: String) -> [UInt8] {
            message([(1, .text(name)), (2, .bytes(message([(2, .text(yaml))])))])
        }
        let operation = message([
            (5, .text("patchCoreV1NamespacedPod")),
            (8, .bytes(parametersItem)),
            (13, .bytes(vendorExtension("x-kubernetes-action", yaml: "patch\n"))),
            (13, .bytes(vendorExtension("x-kubernetes-group-version-kind", yaml: "group: \"\"\nkind: Pod\nversion: v1\n"))),
        ])
        let pathItem = message([(8, .bytes(operation))])
        let namedPath = message([(1, .text("/api/v1/namespaces/{namespace}/pods/{name}")), (2, .bytes(pathItem))])
        let paths = message([(2, .bytes(namedPath))])
        let info = message([(1, .text("minipod")), (2, .text(Discovery.minipodVersion))])
        return Data(message([(1, .text("2.0")), (2, .bytes(info)), (8, .bytes(paths))]))
    }()

    enum Value {
        case text(String)
        case bytes([UInt8])
    }

    /// Length-delimited fields only (wire type 2), in the order given.
    static func message(_ fields: [(UInt64, Value)]) -> [UInt8] {
        var out: [UInt8] = []
        for (number, value) in fields {
            let payload: [UInt8]
            switch value {
            case .text(let s): payload = Array(s.utf8)
            case .bytes(let b): payload = b
            }
            out += varint(number << 3 | 2) + varint(UInt64(payload.count)) + payload
        }
        return out
    }

    static func varint(_ value: UInt64) -> [UInt8] {
        var v = value
        var out: [UInt8] = []
        while v >= 0x80 {
            out.append(UInt8(v & 0x7f) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
        return out
    }
}
