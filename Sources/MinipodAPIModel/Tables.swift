import Foundation
import MinipodKube

/// meta.k8s.io/v1 Table: what kubectl prints as columns, computed by the
/// server (without it kubectl shows only NAME and AGE). Priority-1 columns
/// appear with `-o wide`.
public struct TableColumn {
    let name: String
    let type: String
    let priority: Int
    let description: String
    init(_ name: String, _ type: String = "string", priority: Int = 0, _ description: String = "") {
        self.name = name
        self.type = type
        self.priority = priority
        self.description = description
    }
}

public enum Tables {
    public static let contentType = "application/json;as=Table;v=v1;g=meta.k8s.io"

    public static func table(_ columns: [TableColumn], rows: [(cells: [Any], object: Any)], resourceVersion: String) -> [String: Any] {
        [
            "kind": "Table", "apiVersion": "meta.k8s.io/v1",
            "metadata": ["resourceVersion": resourceVersion],
            "columnDefinitions": columns.map {
                ["name": $0.name, "type": $0.type, "format": $0.name == "Name" ? "name" : "", "description": $0.description, "priority": $0.priority]
            },
            "rows": rows.map { ["cells": $0.cells, "object": $0.object] },
        ]
    }

    static let podColumns = [
        TableColumn("Name", "string", "Name must be unique within a namespace."),
        TableColumn("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
        TableColumn("Status", "string", "The aggregate status of the containers in this pod."),
        TableColumn(
            "Restarts", "string",
            "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
        TableColumn("Age", "string", "CreationTimestamp is a timestamp representing the server time when this object was created."),
        TableColumn("IP", "string", priority: 1, "IP address allocated to the pod. Routable at least within the cluster."),
        TableColumn("Node", "string", priority: 1, "NodeName is a request to schedule this pod onto a specific node."),
        TableColumn("Nominated Node", "string", priority: 1, "nominatedNodeName is set when this pod preempts other pods on the node."),
        TableColumn("Readiness Gates", "string", priority: 1, "If specified, all readiness gates will be evaluated for pod readiness."),
    ]

    public static func pods(_ pods: [(pod: Pod, object: Any)], resourceVersion: String, now: Date = Date()) -> [String: Any] {
        let rows = pods.map { entry -> (cells: [Any], object: Any) in (podCells(entry.pod, now: now), entry.object) }
        return table(podColumns, rows: rows, resourceVersion: resourceVersion)
    }

    static func podCells(_ pod: Pod, now: Date) -> [Any] {
        [
            pod.metadata.name, PodPrinter.readyString(for: pod), PodPrinter.statusString(for: pod),
            PodPrinter.restartsString(for: pod, now: now), PodPrinter.age(of: pod, now: now),
            pod.status?.podIP ?? "<none>", pod.spec.nodeName ?? "<none>", "<none>", "<none>",
        ]
    }

    static let nodeColumns = [
        TableColumn("Name"), TableColumn("Status"), TableColumn("Roles"), TableColumn("Age"), TableColumn("Version"),
        TableColumn("Internal-IP", priority: 1), TableColumn("External-IP", priority: 1), TableColumn("OS-Image", priority: 1),
        TableColumn("Kernel-Version", priority: 1), TableColumn("Container-Runtime", priority: 1),
    ]

    public static func nodes(_ nodes: [[String: Any]], resourceVersion: String, now: Date = Date()) -> [String: Any] {
        table(
            nodeColumns,
            rows: nodes.map { node in
                let metadata = node["metadata"] as? [String: Any] ?? [:]
                let status = node["status"] as? [String: Any] ?? [:]
                let info = status["nodeInfo"] as? [String: Any] ?? [:]
                let addresses = status["addresses"] as? [[String: String]] ?? []
                let internalIP = addresses.first { $0["type"] == "InternalIP" }?["address"] ?? "<none>"
                return (
                    [
                        metadata["name"] ?? "", "Ready", "control-plane", age(metadata, now), info["kubeletVersion"] ?? "", internalIP, "<none>",
                        info["osImage"] ?? "", info["kernelVersion"] ?? "", info["containerRuntimeVersion"] ?? "",
                    ], node
                )
            }, resourceVersion: resourceVersion)
    }

    static let namespaceColumns = [TableColumn("Name"), TableColumn("Status"), TableColumn("Age")]

    public static func namespaces(_ namespaces: [[String: Any]], resourceVersion: String, now: Date = Date()) -> [String: Any] {
        table(
            namespaceColumns,
            rows: namespaces.map { ns in
                let metadata = ns["metadata"] as? [String: Any] ?? [:]
                let phase = (ns["status"] as? [String: Any])?["phase"] ?? "Active"
                return ([metadata["name"] ?? "", phase, age(metadata, now)], ns)
            }, resourceVersion: resourceVersion)
    }

    static let eventColumns = [
        TableColumn("Last Seen"), TableColumn("Type"), TableColumn("Reason"), TableColumn("Object"), TableColumn("Message"),
    ]

    public static func events(_ events: [[String: Any]], resourceVersion: String, now: Date = Date()) -> [String: Any] {
        table(
            eventColumns,
            rows: events.map { event in
                let involved = event["involvedObject"] as? [String: Any] ?? [:]
                let last = (event["lastTimestamp"] as? String).flatMap(KubeTime.parse).map { humanDuration(now.timeIntervalSince($0)) } ?? "<unknown>"
                return ([last, event["type"] ?? "", event["reason"] ?? "", "pod/\(involved["name"] ?? "")", event["message"] ?? ""], event)
            }, resourceVersion: resourceVersion)
    }

    static func age(_ metadata: [String: Any], _ now: Date) -> String {
        (metadata["creationTimestamp"] as? String).flatMap(KubeTime.parse).map { humanDuration(now.timeIntervalSince($0)) } ?? "<unknown>"
    }
}
