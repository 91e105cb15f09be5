import Foundation
import MinipodAPIModel
import MinipodKube
import MinipodPod

/// The objects kubectl reads beside pods: this machine as the one Node, the
/// namespaces, and each pod's recorded events as core/v1 Events.
public enum ClusterObjects {
    public struct Host: Sendable {
        public var name: String
        public var address: String
        public var cpus: Int
        public var memoryBytes: Int64
        public var kernel: String
        public var osImage: String
        public var bootTime: String

        public init(name: String, address: String, cpus: Int, memoryBytes: Int64, kernel: String, osImage: String, bootTime: String) {
            self.name = name
            self.address = address
            self.cpus = cpus
            self.memoryBytes = memoryBytes
            self.kernel = kernel
            self.osImage = osImage
            self.bootTime = bootTime
        }
    }

    public static func node(_ host: Host, resourceVersion: String) -> [String: Any] {
        let capacity: [String: Any] = ["cpu": String(host.cpus), "memory": "\(host.memoryBytes / 1024)Ki", "pods": "110", "ephemeral-storage": "0"]
        let condition = { (type: String, status: String, reason: String, message: String) -> [String: Any] in
            [
                "type": type, "status": status, "reason": reason, "message": message,
                "lastHeartbeatTime": KubeTime.now(), "lastTransitionTime": host.bootTime,
            ]
        }
        return [
            "apiVersion": "v1", "kind": "Node",
            "metadata": [
                "name": host.name, "uid": "node-\(host.name)", "resourceVersion": resourceVersion, "creationTimestamp": host.bootTime,
                "labels": [
                    "kubernetes.io/hostname": host.name, "kubernetes.io/os": "linux", "kubernetes.io/arch": Discovery.architecture,
                    "node-role.kubernetes.io/control-plane": "",
                ],
            ],
            "spec": [String: Any](),
            "status": [
                "capacity": capacity, "allocatable": capacity,
                "conditions": [
                    condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "minipod has sufficient memory available"),
                    condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "minipod has no disk pressure"),
                    condition("PIDPressure", "False", "KubeletHasSufficientPID", "minipod has sufficient PID available"),
                    condition("Ready", "True", "KubeletReady", "minipod is posting ready status"),
                ],
                "addresses": [["type": "InternalIP", "address": host.address], ["type": "Hostname", "address": host.name]],
                "nodeInfo": [
                    "kubeletVersion": Discovery.minipodVersion, "kubeProxyVersion": "", "operatingSystem": "linux",
                    "architecture": Discovery.architecture, "kernelVersion": host.kernel, "osImage": host.osImage,
                    "containerRuntimeVersion": "minipod://\(Discovery.minipodVersion)", "machineID": "", "systemUUID": "", "bootID": "",
                ],
            ],
        ]
    }

    public static func event(_ event: PodEvent, index: Int, pod: Pod, node: String) -> [String: Any] {
        let namespace = pod.metadata.namespace ?? "default"
        return [
            "apiVersion": "v1", "kind": "Event",
            "metadata": [
                "name": "\(pod.metadata.name).\(String(index, radix: 16))", "namespace": namespace,
                "uid": "\(pod.metadata.uid ?? "")-\(index)", "resourceVersion": pod.metadata.resourceVersion ?? "0",
                "creationTimestamp": event.firstTimestamp,
            ],
            "involvedObject": [
                "kind": "Pod", "namespace": namespace, "name": pod.metadata.name, "uid": pod.metadata.uid ?? "",
                "apiVersion": "v1", "resourceVersion": pod.metadata.resourceVersion ?? "",
            ],
            "reason": event.reason, "message": event.message, "type": event.type, "count": event.count,
            "firstTimestamp": event.firstTimestamp, "lastTimestamp": event.lastTimestamp,
            "source": ["component": event.reason == "Scheduled" ? "default-scheduler" : "kubelet", "host": node],
            "reportingComponent": event.reason == "Scheduled" ? "default-scheduler" : "kubelet", "reportingInstance": node,
        ]
    }

    /// Scheduled first, as a cluster's scheduler reports it, then what the supervisor recorded.
    public static func events(for pod: Pod, recorded: [PodEvent], node: String) -> [[String: Any]] {
        let created = pod.metadata.creationTimestamp ?? KubeTime.now()
        let scheduled = PodEvent(
            type: "Normal", reason: "Scheduled",
            message: "Successfully assigned \(pod.metadata.namespace ?? "default")/\(pod.metadata.name) to \(node)",
            firstTimestamp: created, lastTimestamp: created, count: 1)
        return ([scheduled] + recorded).enumerated().map { event($0.element, index: $0.offset, pod: pod, node: node) }
    }

    public static func namespace(_ name: String, created: String, resourceVersion: String, terminating: Bool = false) -> [String: Any] {
        [
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": [
                "name": name, "uid": "namespace-\(name)", "resourceVersion": resourceVersion, "creationTimestamp": created,
                "labels": ["kubernetes.io/metadata.name": name],
            ],
            "spec": ["finalizers": ["kubernetes"]],
            "status": ["phase": terminating ? "Terminating" : "Active"],
        ]
    }

    public static func list(kind: String, items: [Any], resourceVersion: String) -> [String: Any] {
        ["apiVersion": "v1", "kind": kind, "metadata": ["resourceVersion": resourceVersion], "items": items]
    }
}
