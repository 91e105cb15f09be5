public struct PodStatus: Codable, Equatable, Sendable {
    /// Pending, Running, Succeeded, Failed, Unknown.
    public var phase: String?
    public var conditions: [PodCondition]?
    public var message: String?
    public var reason: String?
    public var nominatedNodeName: String?
    public var hostIP: String?
    public var podIP: String?
    public var podIPs: [PodIP]?
    public var startTime: String?
    public var initContainerStatuses: [ContainerStatus]?
    public var containerStatuses: [ContainerStatus]?
    public var qosClass: String?

    public init(
        phase: String? = nil, conditions: [PodCondition]? = nil, message: String? = nil,
        reason: String? = nil, nominatedNodeName: String? = nil, hostIP: String? = nil,
        podIP: String? = nil, podIPs: [PodIP]? = nil, startTime: String? = nil,
        initContainerStatuses: [ContainerStatus]? = nil, containerStatuses: [ContainerStatus]? = nil,
        qosClass: String? = nil
    ) {
        self.phase = phase
        self.conditions = conditions
        self.message = message
        self.reason = reason
        self.nominatedNodeName = nominatedNodeName
        self.hostIP = hostIP
        self.podIP = podIP
        self.podIPs = podIPs
        self.startTime = startTime
        self.initContainerStatuses = initContainerStatuses
        self.containerStatuses = containerStatuses
        self.qosClass = qosClass
    }
}

public struct PodCondition: Codable, Equatable, Sendable {
    /// PodScheduled, Initialized, ContainersReady, Ready, PodReadyToStartContainers.
    public var type: String
    /// "True", "False" or "Unknown", strings as in the API.
    public var status: String
    public var lastProbeTime: String?
    public var lastTransitionTime: String?
    public var reason: String?
    public var message: String?

    public init(
        type: String, status: String, lastProbeTime: String? = nil, lastTransitionTime: String? = nil,
        reason: String? = nil, message: String? = nil
    ) {
        self.type = type
        self.status = status
        self.lastProbeTime = lastProbeTime
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
    }
}

public struct PodIP: Codable, Equatable, Sendable {
    public var ip: String

    public init(ip: String) { self.ip = ip }
}

public struct ContainerStatus: Codable, Equatable, Sendable {
    public var name: String
    public var state: ContainerState
    public var lastState: ContainerState
    public var ready: Bool
    public var restartCount: Int
    public var image: String
    public var imageID: String
    public var containerID: String?
    public var started: Bool?

    public init(
        name: String, state: ContainerState = ContainerState(), lastState: ContainerState = ContainerState(),
        ready: Bool = false, restartCount: Int = 0, image: String = "", imageID: String = "",
        containerID: String? = nil, started: Bool? = nil
    ) {
        self.name = name
        self.state = state
        self.lastState = lastState
        self.ready = ready
        self.restartCount = restartCount
        self.image = image
        self.imageID = imageID
        self.containerID = containerID
        self.started = started
    }

    // The API always sends these (Go fields without omitempty) but older
    // state files or hand-written statuses may not, so default them.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        state = try c.decodeIfPresent(ContainerState.self, forKey: .state) ?? ContainerState()
        lastState = try c.decodeIfPresent(ContainerState.self, forKey: .lastState) ?? ContainerState()
        ready = try c.decodeIfPresent(Bool.self, forKey: .ready) ?? false
        restartCount = try c.decodeIfPresent(Int.self, forKey: .restartCount) ?? 0
        image = try c.decodeIfPresent(String.self, forKey: .image) ?? ""
        imageID = try c.decodeIfPresent(String.self, forKey: .imageID) ?? ""
        containerID = try c.decodeIfPresent(String.self, forKey: .containerID)
        started = try c.decodeIfPresent(Bool.self, forKey: .started)
    }
}

/// At most one of waiting/running/terminated is set; all nil encodes as `{}`
/// as Kubernetes shows an empty lastState.
public struct ContainerState: Codable, Equatable, Sendable {
    public var waiting: ContainerStateWaiting?
    public var running: ContainerStateRunning?
    public var terminated: ContainerStateTerminated?

    public init(
        waiting: ContainerStateWaiting? = nil, running: ContainerStateRunning? = nil,
        terminated: ContainerStateTerminated? = nil
    ) {
        self.waiting = waiting
        self.running = running
        self.terminated = terminated
    }

    public static func waiting(_ reason: String, message: String? = nil) -> ContainerState {
        ContainerState(waiting: ContainerStateWaiting(reason: reason, message: message))
    }

    public static func running(since startedAt: String?) -> ContainerState {
        ContainerState(running: ContainerStateRunning(startedAt: startedAt))
    }
}

public struct ContainerStateWaiting: Codable, Equatable, Sendable {
    public var reason: String?
    public var message: String?

    public init(reason: String? = nil, message: String? = nil) {
        self.reason = reason
        self.message = message
    }
}

public struct ContainerStateRunning: Codable, Equatable, Sendable {
    public var startedAt: String?

    public init(startedAt: String? = nil) { self.startedAt = startedAt }
}

public struct ContainerStateTerminated: Codable, Equatable, Sendable {
    public var exitCode: Int
    public var signal: Int?
    public var reason: String?
    public var message: String?
    public var startedAt: String?
    public var finishedAt: String?
    public var containerID: String?

    public init(
        exitCode: Int, signal: Int? = nil, reason: String? = nil, message: String? = nil,
        startedAt: String? = nil, finishedAt: String? = nil, containerID: String? = nil
    ) {
        self.exitCode = exitCode
        self.signal = signal
        self.reason = reason
        self.message = message
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.containerID = containerID
    }
}
