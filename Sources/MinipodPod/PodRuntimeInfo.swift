import MinipodKube
import MinipodRuntime

/// minipod's own bookkeeping for a pod, beside the Kubernetes-shaped state.json:
/// what the supervisor, `exec`, `delete` and crash recovery need to find things.
public struct PodRuntimeInfo: Codable, Sendable {
    public var key: String
    public var uid: String
    public var supervisorPid: Int32?
    public var netns: String?
    public var hostNetwork: Bool
    /// How the pod's network namespace is connected (nil: the CNI network, as before this field).
    public var network: PodNetworkMode?
    public var podIP: String?
    public var portMappings: [PortMappingInfo]
    public var containers: [String: ContainerRuntimeInfo]
    /// The sandbox (namespaces, network, pod files, volumes) is complete: a pod
    /// whose supervisor is lost after this is taken over, not removed.
    public var sandboxReady: Bool?
    /// `hostUsers: false`: the block of host IDs the pod leased (IDRangeLeases), mapped by its user namespace.
    public var idRange: IDRange?
    /// Error that ended pod setup, for `minipod run` to print.
    public var setupError: String?

    public init(key: String, uid: String, hostNetwork: Bool) {
        self.key = key
        self.uid = uid
        self.hostNetwork = hostNetwork
        self.portMappings = []
        self.containers = [:]
    }
}

/// `minipod run --network`: cni (the default), none (loopback only), netlink
/// (the CNI network's bridge and subnet, set up by minipod over rtnetlink).
public enum PodNetworkMode: String, Codable, Sendable {
    case cni, none, netlink
}

public struct PortMappingInfo: Codable, Sendable {
    public var hostPort: Int
    public var containerPort: Int
    public var `protocol`: String
    public var hostIP: String?
}

public struct ContainerRuntimeInfo: Codable, Sendable {
    public var pid: Int32?
    public var cgroup: String
    public var stopSignal: String
    public var logPath: String?
    /// The process spec exec'd processes inherit (env, cwd, user, capabilities, seccomp).
    public var specPath: String
}
