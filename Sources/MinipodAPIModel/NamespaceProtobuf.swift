import Foundation

/// `kubectl create namespace` sends its Namespace as protobuf (the typed client's
/// default), not JSON. Only the name is needed, so this reads just that: the
/// "k8s\0" envelope, runtime.Unknown's raw (field 2), Namespace.metadata (field 1),
/// ObjectMeta.name (field 1). Hand-written: swift-protobuf would need Kubernetes'
/// generated types for one string.
public enum NamespaceProtobuf {
    public static let contentType = "application/vnd.kubernetes.protobuf"

    public static func name(from data: Data) -> String? {
        let bytes = [UInt8](data)
        guard bytes.count > 4, bytes[0..<4] == [0x6b, 0x38, 0x73, 0x00] else { return nil }
        guard let raw = field(2, in: bytes[4...]), let metadata = field(1, in: raw), let name = field(1, in: metadata) else { return nil }
        return String(decoding: name, as: UTF8.self)
    }

    /// The first length-delimited field `number` of a message; other fields are skipped by wire type.
    static func field(_ number: UInt64, in message: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        var i = message.startIndex
        func varint() -> UInt64? {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while i < message.endIndex, shift < 64 {
                let byte = message[i]
                i += 1
                value |= UInt64(byte & 0x7f) << shift
                if byte & 0x80 == 0 { return value }
                shift += 7
            }
            return nil
        }
        while i < message.endIndex {
            guard let key = varint() else { return nil }
            switch key & 7 {
            case 0: guard varint() != nil else { return nil }
            case 1: i += 8
            case 5: i += 4
            case 2:
                guard let length = varint(), length <= UInt64(message.endIndex - i) else { return nil }
                let value = message[i..<(i + Int(length))]
                i += Int(length)
                if key >> 3 == number { return value }
            default: return nil
            }
        }
        return nil
    }
}
