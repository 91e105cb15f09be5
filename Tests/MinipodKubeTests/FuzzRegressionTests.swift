import Foundation
import MinipodSystem
import Testing

@testable import MinipodKube

/// Inputs that Fuzz/manifest (libFuzzer, `make fuzz`) found to break a promise
/// of the manifest reader, kept as they were found (after libFuzzer's -minimize_crash).
@Suite struct ManifestFuzzRegressions {
    /// The header check read the last of two `kind` keys (Yams' `node["kind"]`) while the
    /// schema walk keeps the first, so this loaded as a Pod whose kind was "t".
    @Test func duplicatedKindIsReadAsTheWalkReadsIt() throws {
        let found = "apiVersion: v1\nkind: t\nkind: Pod\nmetadata:\n name: t\nspec:\n containers:\n  - name: b\n    image: o537"
        #expect(loadError(found) == #"pod.yaml: kind "t" is not supported by minipod (only Pod)"#)

        let podFirst = "apiVersion: v1\nkind: Pod\nkind: t\nmetadata:\n name: t\nspec:\n containers:\n  - name: b\n    image: o537"
        let load = try ManifestLoader.parse(podFirst, source: "pod.yaml")
        #expect(load.pods.map(\.kind) == ["Pod"])
        #expect(load.warnings == [#"pod.yaml: duplicate field "kind""#])
    }

    /// Same for `apiVersion` and a List's `items`: the first one counts.
    @Test func duplicatedApiVersionAndItemsAreReadAsTheWalkReadsThem() throws {
        #expect(
            loadError("apiVersion: v2\napiVersion: v1\nkind: Pod\nmetadata: {name: t}\nspec: {containers: [{name: b, image: x}]}")
                == #"pod.yaml: apiVersion "v2" is not supported, use "v1""#)
        let list = """
            apiVersion: v1
            kind: List
            items: [{apiVersion: v1, kind: Pod, metadata: {name: first}, spec: {containers: [{name: b, image: x}]}}]
            items: [{apiVersion: v1, kind: Pod, metadata: {name: second}, spec: {containers: [{name: b, image: x}]}}]
            """
        #expect(try ManifestLoader.parse(list, source: "pod.yaml").pods.map(\.metadata.name) == ["first"])
    }
}
