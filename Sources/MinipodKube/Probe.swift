public struct Probe: Codable, Equatable, Sendable {
    public var exec: ExecAction?
    public var httpGet: HTTPGetAction?
    public var tcpSocket: TCPSocketAction?
    public var initialDelaySeconds: Int?
    public var timeoutSeconds: Int?
    public var periodSeconds: Int?
    public var successThreshold: Int?
    public var failureThreshold: Int?
    public var terminationGracePeriodSeconds: Int?

    public init(
        exec: ExecAction? = nil, httpGet: HTTPGetAction? = nil, tcpSocket: TCPSocketAction? = nil,
        initialDelaySeconds: Int? = nil, timeoutSeconds: Int? = nil, periodSeconds: Int? = nil,
        successThreshold: Int? = nil, failureThreshold: Int? = nil,
        terminationGracePeriodSeconds: Int? = nil
    ) {
        self.exec = exec
        self.httpGet = httpGet
        self.tcpSocket = tcpSocket
        self.initialDelaySeconds = initialDelaySeconds
        self.timeoutSeconds = timeoutSeconds
        self.periodSeconds = periodSeconds
        self.successThreshold = successThreshold
        self.failureThreshold = failureThreshold
        self.terminationGracePeriodSeconds = terminationGracePeriodSeconds
    }

    /// How many of exec/httpGet/tcpSocket are set; Kubernetes wants exactly one.
    var handlerCount: Int { [exec != nil, httpGet != nil, tcpSocket != nil].filter { $0 }.count }
}

public struct ExecAction: Codable, Equatable, Sendable {
    public var command: [String]?

    public init(command: [String]? = nil) { self.command = command }
}

public struct HTTPGetAction: Codable, Equatable, Sendable {
    public var path: String?
    public var port: IntOrString
    public var host: String?
    public var scheme: String?
    public var httpHeaders: [HTTPHeader]?

    public init(
        port: IntOrString, path: String? = nil, host: String? = nil, scheme: String? = nil,
        httpHeaders: [HTTPHeader]? = nil
    ) {
        self.port = port
        self.path = path
        self.host = host
        self.scheme = scheme
        self.httpHeaders = httpHeaders
    }
}

public struct HTTPHeader: Codable, Equatable, Sendable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

public struct TCPSocketAction: Codable, Equatable, Sendable {
    public var port: IntOrString
    public var host: String?

    public init(port: IntOrString, host: String? = nil) {
        self.port = port
        self.host = host
    }
}

public struct Lifecycle: Codable, Equatable, Sendable {
    public var postStart: LifecycleHandler?
    public var preStop: LifecycleHandler?

    public init(postStart: LifecycleHandler? = nil, preStop: LifecycleHandler? = nil) {
        self.postStart = postStart
        self.preStop = preStop
    }
}

public struct LifecycleHandler: Codable, Equatable, Sendable {
    public var exec: ExecAction?
    public var httpGet: HTTPGetAction?
    public var sleep: SleepAction?

    public init(exec: ExecAction? = nil, httpGet: HTTPGetAction? = nil, sleep: SleepAction? = nil) {
        self.exec = exec
        self.httpGet = httpGet
        self.sleep = sleep
    }
}

public struct SleepAction: Codable, Equatable, Sendable {
    public var seconds: Int

    public init(seconds: Int) { self.seconds = seconds }
}
