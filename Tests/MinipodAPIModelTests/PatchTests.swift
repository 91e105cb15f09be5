import Foundation
import Testing

@testable import MinipodAPIModel

struct PatchTests {
    let pod: [String: Any] = [
        "metadata": ["name": "web", "labels": ["app": "web", "tier": "front"]],
        "spec": [
            "containers": [
                ["name": "nginx", "image": "nginx:1.25", "ports": [["containerPort": 80]]],
                ["name": "log", "image": "busybox:1.36"],
            ]
        ],
    ]

    func apply(_ kind: Patches.Kind, _ patch: String) throws -> [String: Any] {
        try Patches.apply(kind, patch: Data(patch.utf8), to: pod)
    }

    func containers(_ object: [String: Any]) -> [[String: Any]] {
        (object["spec"] as? [String: Any])?["containers"] as? [[String: Any]] ?? []
    }

    @Test func mergePatchSetsAndRemovesKeysAndReplacesLists() throws {
        let patched = try apply(.merge, #"{"metadata":{"labels":{"tier":null,"env":"prod"}}}"#)
        #expect((patched["metadata"] as? [String: Any])?["labels"] as? [String: String] == ["app": "web", "env": "prod"])
        let replaced = try apply(.merge, #"{"spec":{"containers":[{"name":"nginx","image":"nginx:1.26"}]}}"#)
        #expect(containers(replaced).count == 1, "a merge patch replaces lists")
    }

    /// kubectl apply's second run: the changed image of one container, keyed by name.
    @Test func strategicMergeMergesContainersByName() throws {
        let patched = try apply(
            .strategic,
            #"""
            {"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}"}},
             "spec":{"$setElementOrder/containers":[{"name":"nginx"},{"name":"log"}],"containers":[{"name":"nginx","image":"nginx:1.26"}]}}
            """#)
        let list = containers(patched)
        #expect(list.count == 2)
        #expect(list[0]["image"] as? String == "nginx:1.26")
        #expect((list[0]["ports"] as? [[String: Any]])?.first?["containerPort"] as? Int == 80, "untouched fields stay")
        #expect(list[1]["image"] as? String == "busybox:1.36")
        #expect(patched.keys.contains("metadata"))
    }

    @Test func strategicMergeDeletesByKeyAndAppendsNewElements() throws {
        let deleted = try apply(.strategic, #"{"spec":{"containers":[{"name":"log","$patch":"delete"},{"name":"extra","image":"x"}]}}"#)
        #expect(containers(deleted).map { $0["name"] as? String } == ["nginx", "extra"])
    }

    @Test func jsonPatchAddsReplacesRemovesAndTests() throws {
        let patched = try apply(
            .json,
            #"""
            [{"op":"test","path":"/metadata/name","value":"web"},
             {"op":"replace","path":"/spec/containers/0/image","value":"nginx:1.26"},
             {"op":"add","path":"/metadata/labels/env","value":"prod"},
             {"op":"remove","path":"/metadata/labels/tier"}]
            """#)
        #expect(containers(patched)[0]["image"] as? String == "nginx:1.26")
        #expect((patched["metadata"] as? [String: Any])?["labels"] as? [String: String] == ["app": "web", "env": "prod"])
        #expect(throws: APIStatus.self) { try apply(.json, #"[{"op":"test","path":"/metadata/name","value":"db"}]"#) }
        #expect(throws: APIStatus.self) { try apply(.json, #"[{"op":"remove","path":"/spec/nothing"}]"#) }
    }

    @Test func unknownPatchTypesAreRefused() {
        #expect(Patches.Kind(contentType: "application/strategic-merge-patch+json; charset=utf-8") == .strategic)
        #expect(Patches.Kind(contentType: "text/plain") == nil)
        #expect(throws: APIStatus.self) { try apply(.merge, "not json") }
    }
}
