public struct PodSpec: Codable, Equatable, Sendable {
    public var volumes: [Volume]?
    public var initContainers: [Container]?
    public var containers: [Container]
    public var restartPolicy: String?
    public var terminationGracePeriodSeconds: Int?
    public var dnsPolicy: String?
    public var nodeName: String?
    public var hostNetwork: Bool?
    public var shareProcessNamespace: Bool?
    public var securityContext: PodSecurityContext?
    public var hostname: String?
    public var subdomain: String?
    public var schedulerName: String?
    public var hostAliases: [HostAlias]?
    public var dnsConfig: PodDNSConfig?
    public var enableServiceLinks: Bool?
    /// false: the pod's own user namespace and block of host IDs (its root is no host root).
    public var hostUsers: Bool?

    public init(
        containers: [Container], initContainers: [Container]? = nil, volumes: [Volume]? = nil,
        restartPolicy: String? = nil, terminationGracePeriodSeconds: Int? = nil,
        dnsPolicy: String? = nil, nodeName: String? = nil, hostNetwork: Bool? = nil,
        shareProcessNamespace: Bool? = nil, securityContext: PodSecurityContext? = nil,
        hostname: String? = nil, subdomain: String? = nil, schedulerName: String? = nil,
        hostAliases: [HostAlias]? = nil, dnsConfig: PodDNSConfig? = nil,
        enableServiceLinks: Bool? = nil
    ) {
        self.containers = containers
        self.initContainers = initContainers
        self.volumes = volumes
        self.restartPolicy = restartPolicy
        self.terminationGracePeriodSeconds = terminationGracePeriodSeconds
        self.dnsPolicy = dnsPolicy
        self.nodeName = nodeName
        self.hostNetwork = hostNetwork
        self.shareProcessNamespace = shareProcessNamespace
        self.securityContext = securityContext
        self.hostname = hostname
        self.subdomain = subdomain
        self.schedulerName = schedulerName
        self.hostAliases = hostAliases
        self.dnsConfig = dnsConfig
        self.enableServiceLinks = enableServiceLinks
    }

    /// Init containers then main containers, the order names must be unique in.
    public var allContainers: [Container] { (initContainers ?? []) + containers }
}

public struct PodSecurityContext: Codable, Equatable, Sendable {
    public var runAsUser: Int?
    public var runAsGroup: Int?
    public var runAsNonRoot: Bool?
    public var fsGroup: Int?
    public var supplementalGroups: [Int]?
    public var seccompProfile: SeccompProfile?

    public init(
        runAsUser: Int? = nil, runAsGroup: Int? = nil, runAsNonRoot: Bool? = nil,
        fsGroup: Int? = nil, supplementalGroups: [Int]? = nil, seccompProfile: SeccompProfile? = nil
    ) {
        self.runAsUser = runAsUser
        self.runAsGroup = runAsGroup
        self.runAsNonRoot = runAsNonRoot
        self.fsGroup = fsGroup
        self.supplementalGroups = supplementalGroups
        self.seccompProfile = seccompProfile
    }
}

public struct HostAlias: Codable, Equatable, Sendable {
    public var ip: String
    public var hostnames: [String]?

    public init(ip: String, hostnames: [String]? = nil) {
        self.ip = ip
        self.hostnames = hostnames
    }
}

public struct PodDNSConfig: Codable, Equatable, Sendable {
    public var nameservers: [String]?
    public var searches: [String]?
    public var options: [PodDNSConfigOption]?

    public init(nameservers: [String]? = nil, searches: [String]? = nil, options: [PodDNSConfigOption]? = nil) {
        self.nameservers = nameservers
        self.searches = searches
        self.options = options
    }
}

public struct PodDNSConfigOption: Codable, Equatable, Sendable {
    public var name: String?
    public var value: String?

    public init(name: String? = nil, value: String? = nil) {
        self.name = name
        self.value = value
    }
}
