import Foundation
import MinipodAPIModel
import MinipodKube
import MinipodSystem

// libFuzzer harness for what `minipod serve` decodes from a request before any pod is
// touched: the first byte picks the decoder, the rest is its input.
//  0  a request body as a Pod (PodBody, fieldValidation=Strict, then Warn)
//  1  a strategic merge patch, 2 a merge patch, 3 a JSON patch, on a stored pod's JSON
//  4  a request line (URI: path and query) and its route
//  5  a protobuf Namespace (NamespaceProtobuf)
//  6  a field selector
// A finding is a crash or hang, or an error other than the APIStatus a client is sent
// (MinipodError for bodies the manifest reader refuses is turned into one by PodBody).

let storedPod: [String: Any] = [
    "apiVersion": "v1", "kind": "Pod",
    "metadata": ["name": "web", "namespace": "default", "labels": ["app": "web"]],
    "spec": ["containers": [["name": "nginx", "image": "nginx:1.25", "ports": [["containerPort": 80]]]]],
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAPI(_ start: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let mode = start[0] % 7
    let data = Data(bytes: start + 1, count: size - 1)
    let text = String(decoding: data, as: UTF8.self)
    switch mode {
    case 0:
        for validation in ["Strict", "Warn"] {
            expectStatus {
                let (pod, _) = try PodBody.decode(data, fieldValidation: validation)
                _ = EncodedPod(pod)
            }
        }
    case 1, 2, 3:
        let kind: Patches.Kind = mode == 1 ? .strategic : mode == 2 ? .merge : .json
        expectStatus {
            let patched = try Patches.apply(kind, patch: data, to: storedPod)
            _ = try JSONSerialization.data(withJSONObject: patched)
        }
    case 4:
        let request = APIRequest(method: "GET", uri: text, headers: ["Accept": "application/json;as=Table"])
        _ = APIRoute(path: request.path)
        _ = request.integer("resourceVersion")
    case 5:
        _ = NamespaceProtobuf.name(from: data)
    default:
        expectStatus { _ = try FieldSelector(text, allowed: FieldSelector.podFields, kind: "Pod") }
    }
    return 0
}

func expectStatus(_ body: () throws -> Void) {
    do { try body() } catch is APIStatus {} catch {
        fatalError("refused with \(type(of: error)), not an APIStatus: \(error)")
    }
}
