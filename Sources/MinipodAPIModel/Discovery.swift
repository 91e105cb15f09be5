import Foundation

/// What kubectl reads before it does anything: versions, groups, the core
/// resources, and enough OpenAPI v3 to learn that the server validates fields
/// itself (kubectl then sends fieldValidation=Strict instead of validating).
public enum Discovery {
    /// The Kubernetes version minipod answers to (the Google Cloud CLI's kubectl dispatcher picks its binary by `minor`).
    public static let kubernetesMinor = "32"
    public static let minipodVersion = "v1.32.0-minipod.1"

    public static func version() -> [String: Any] {
        [
            "major": "1", "minor": kubernetesMinor, "gitVersion": minipodVersion, "gitCommit": "", "gitTreeState": "clean",
            "buildDate": "2026-01-01T00:00:00Z", "goVersion": "n/a (Swift)", "compiler": "swiftc", "platform": "linux/\(architecture)",
        ]
    }

    public static var architecture: String {
        #if arch(x86_64)
            "amd64"
        #elseif arch(arm64)
            "arm64"
        #else
            "unknown"
        #endif
    }

    public static func apiVersions(serverAddress: String) -> [String: Any] {
        [
            "kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": serverAddress]],
        ]
    }

    public static let apiGroups: [String: Any] = ["kind": "APIGroupList", "apiVersion": "v1", "groups": [Any]()]

    static func resource(
        _ name: String, kind: String, namespaced: Bool, verbs: [String], shortNames: [String] = [],
        singular: String = "", categories: [String] = []
    ) -> [String: Any] {
        var r: [String: Any] = ["name": name, "singularName": singular, "namespaced": namespaced, "kind": kind, "verbs": verbs]
        if !shortNames.isEmpty { r["shortNames"] = shortNames }
        if !categories.isEmpty { r["categories"] = categories }
        return r
    }

    static let allVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]

    public static let coreResources: [String: Any] = [
        "kind": "APIResourceList", "groupVersion": "v1",
        "resources": [
            resource("pods", kind: "Pod", namespaced: true, verbs: allVerbs, shortNames: ["po"], singular: "pod", categories: ["all"]),
            resource("pods/status", kind: "Pod", namespaced: true, verbs: ["get"]),
            resource("pods/log", kind: "Pod", namespaced: true, verbs: ["get"]),
            resource("pods/exec", kind: "PodExecOptions", namespaced: true, verbs: ["create", "get"]),
            resource("pods/attach", kind: "PodAttachOptions", namespaced: true, verbs: ["create", "get"]),
            resource("pods/portforward", kind: "PodPortForwardOptions", namespaced: true, verbs: ["create", "get"]),
            resource(
                "namespaces", kind: "Namespace", namespaced: false, verbs: ["create", "delete", "get", "list", "watch"],
                shortNames: ["ns"], singular: "namespace"),
            resource("nodes", kind: "Node", namespaced: false, verbs: ["get", "list", "watch"], shortNames: ["no"], singular: "node"),
            resource("events", kind: "Event", namespaced: true, verbs: ["get", "list", "watch"], shortNames: ["ev"], singular: "event"),
        ],
    ]

    public static let openAPIHash = "minipod-1"

    public static let openAPIRoot: [String: Any] = [
        "paths": ["api/v1": ["serverRelativeURL": "/openapi/v3/api/v1?hash=\(openAPIHash)"]]
    ]

    /// One operation is enough for kubectl to see that the server takes fieldValidation.
    public static let openAPICore: [String: Any] = [
        "openapi": "3.0.0",
        "info": ["title": "minipod", "version": minipodVersion],
        "paths": [
            "/api/v1/namespaces/{namespace}/pods/{name}": [
                "patch": [
                    "operationId": "patchCoreV1NamespacedPod",
                    "x-kubernetes-action": "patch",
                    "x-kubernetes-group-version-kind": ["group": "", "version": "v1", "kind": "Pod"],
                    "parameters": [["name": "fieldValidation", "in": "query", "schema": ["type": "string", "uniqueItems": true]]],
                    "responses": ["200": ["description": "OK"]],
                ]
            ]
        ],
        "components": ["schemas": [String: Any]()],
    ]
}
