public struct Container: Codable, Equatable, Sendable {
    public var name: String
    public var image: String
    public var command: [String]?
    public var args: [String]?
    public var workingDir: String?
    public var ports: [ContainerPort]?
    public var envFrom: [EnvFromSource]?
    public var env: [EnvVar]?
    public var resources: ResourceRequirements?
    /// Only on init containers, and only "Always": a native sidecar (Kubernetes 1.29+).
    public var restartPolicy: String?
    public var volumeMounts: [VolumeMount]?
    public var livenessProbe: Probe?
    public var readinessProbe: Probe?
    public var startupProbe: Probe?
    public var lifecycle: Lifecycle?
    public var terminationMessagePath: String?
    public var terminationMessagePolicy: String?
    public var imagePullPolicy: String?
    public var securityContext: SecurityContext?
    public var stdin: Bool?
    public var stdinOnce: Bool?
    public var tty: Bool?

    public init(
        name: String, image: String, command: [String]? = nil, args: [String]? = nil,
        workingDir: String? = nil, ports: [ContainerPort]? = nil, envFrom: [EnvFromSource]? = nil,
        env: [EnvVar]? = nil, resources: ResourceRequirements? = nil, restartPolicy: String? = nil,
        volumeMounts: [VolumeMount]? = nil, livenessProbe: Probe? = nil, readinessProbe: Probe? = nil,
        startupProbe: Probe? = nil, lifecycle: Lifecycle? = nil, terminationMessagePath: String? = nil,
        terminationMessagePolicy: String? = nil, imagePullPolicy: String? = nil,
        securityContext: SecurityContext? = nil, stdin: Bool? = nil, stdinOnce: Bool? = nil, tty: Bool? = nil
    ) {
        self.name = name
        self.image = image
        self.command = command
        self.args = args
        self.workingDir = workingDir
        self.ports = ports
        self.envFrom = envFrom
        self.env = env
        self.resources = resources
        self.restartPolicy = restartPolicy
        self.volumeMounts = volumeMounts
        self.livenessProbe = livenessProbe
        self.readinessProbe = readinessProbe
        self.startupProbe = startupProbe
        self.lifecycle = lifecycle
        self.terminationMessagePath = terminationMessagePath
        self.terminationMessagePolicy = terminationMessagePolicy
        self.imagePullPolicy = imagePullPolicy
        self.securityContext = securityContext
        self.stdin = stdin
        self.stdinOnce = stdinOnce
        self.tty = tty
    }
}

public struct ContainerPort: Codable, Equatable, Sendable {
    public var name: String?
    public var hostPort: Int?
    public var containerPort: Int
    public var `protocol`: String?
    public var hostIP: String?

    public init(
        containerPort: Int, name: String? = nil, hostPort: Int? = nil,
        protocol: String? = nil, hostIP: String? = nil
    ) {
        self.containerPort = containerPort
        self.name = name
        self.hostPort = hostPort
        self.protocol = `protocol`
        self.hostIP = hostIP
    }
}

public struct EnvVar: Codable, Equatable, Sendable {
    public var name: String
    public var value: String?
    public var valueFrom: EnvVarSource?

    public init(name: String, value: String? = nil, valueFrom: EnvVarSource? = nil) {
        self.name = name
        self.value = value
        self.valueFrom = valueFrom
    }
}

/// Only fieldRef is supported (metadata.name, status.podIP, ...); the loader
/// rejects configMapKeyRef/secretKeyRef/resourceFieldRef by name.
public struct EnvVarSource: Codable, Equatable, Sendable {
    public var fieldRef: ObjectFieldSelector?

    public init(fieldRef: ObjectFieldSelector? = nil) {
        self.fieldRef = fieldRef
    }
}

public struct ObjectFieldSelector: Codable, Equatable, Sendable {
    public var apiVersion: String?
    public var fieldPath: String

    public init(fieldPath: String, apiVersion: String? = nil) {
        self.fieldPath = fieldPath
        self.apiVersion = apiVersion
    }
}

/// Parsed only so minipod can say envFrom is not supported rather than ignore it.
public struct EnvFromSource: Codable, Equatable, Sendable {
    public var prefix: String?
    public var configMapRef: NamedReference?
    public var secretRef: NamedReference?

    public init(prefix: String? = nil, configMapRef: NamedReference? = nil, secretRef: NamedReference? = nil) {
        self.prefix = prefix
        self.configMapRef = configMapRef
        self.secretRef = secretRef
    }
}

public struct NamedReference: Codable, Equatable, Sendable {
    public var name: String?
    public var optional: Bool?

    public init(name: String? = nil, optional: Bool? = nil) {
        self.name = name
        self.optional = optional
    }
}

public struct VolumeMount: Codable, Equatable, Sendable {
    public var name: String
    public var readOnly: Bool?
    public var mountPath: String
    public var subPath: String?
    /// A subPath with `$(VAR)` references to the container's environment, expanded at start.
    public var subPathExpr: String?

    public init(name: String, mountPath: String, readOnly: Bool? = nil, subPath: String? = nil, subPathExpr: String? = nil) {
        self.name = name
        self.mountPath = mountPath
        self.readOnly = readOnly
        self.subPath = subPath
        self.subPathExpr = subPathExpr
    }
}

/// Quantities stay strings as written (`128Mi`, `500m`); `Quantity` parses them.
public struct ResourceRequirements: Codable, Equatable, Sendable {
    public var limits: [String: String]?
    public var requests: [String: String]?

    public init(limits: [String: String]? = nil, requests: [String: String]? = nil) {
        self.limits = limits
        self.requests = requests
    }
}
