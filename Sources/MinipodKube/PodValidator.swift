import MinipodSystem

/// Kubernetes API validation for a Pod, reduced to what minipod runs. Works
/// on pods with or without PodDefaults applied; reports every problem.
public enum PodValidator {
    /// Throws `.invalidManifest`: one problem keeps its path in `field`,
    /// several become one message with a `path: message` line each.
    public static func validate(_ pod: Pod) throws {
        let found = problems(in: pod)
        if !found.isEmpty { throw FieldProblem.error(found) }
    }

    public static func problems(in pod: Pod) -> [FieldProblem] {
        var check = Checks()
        check.metadata(pod.metadata)
        check.spec(pod.spec)
        return check.problems
    }
}

struct Checks {
    var problems: [FieldProblem] = []

    mutating func add(_ path: String, _ message: String) {
        problems.append(FieldProblem(path, message))
    }

    mutating func add(_ path: String, _ message: String?) {
        if let message { add(path, message) }
    }

    mutating func oneOf(_ path: String, _ value: String?, _ allowed: [String]) {
        guard let value, !allowed.contains(value) else { return }
        let list = allowed.map { "\"\($0)\"" }.joined(separator: ", ")
        add(path, "unsupported value \"\(value)\": supported values: \(list)")
    }

    mutating func atLeast(_ path: String, _ value: Int?, _ minimum: Int) {
        guard let value, value < minimum else { return }
        add(path, "must be greater than or equal to \(minimum), got \(value)")
    }

    mutating func metadata(_ meta: ObjectMeta) {
        if meta.name.isEmpty {
            add("metadata.name", "is required")
        } else {
            add("metadata.name", NameRules.dnsSubdomain(meta.name))
        }
        if let namespace = meta.namespace { add("metadata.namespace", NameRules.dnsLabel(namespace)) }
        for (key, value) in (meta.labels ?? [:]).sorted(by: { $0.key < $1.key }) {
            add("metadata.labels", NameRules.labelKey(key))
            add("metadata.labels.\(key)", NameRules.labelValue(value))
        }
        for key in (meta.annotations ?? [:]).keys.sorted() {
            add("metadata.annotations", NameRules.labelKey(key))
        }
    }

    mutating func spec(_ spec: PodSpec) {
        if spec.containers.isEmpty { add("spec.containers", "must have at least one container") }
        oneOf("spec.restartPolicy", spec.restartPolicy, ["Always", "OnFailure", "Never"])
        atLeast("spec.terminationGracePeriodSeconds", spec.terminationGracePeriodSeconds, 0)
        oneOf("spec.dnsPolicy", spec.dnsPolicy, ["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"])
        if spec.dnsPolicy == "None", spec.dnsConfig?.nameservers?.isEmpty ?? true {
            add("spec.dnsConfig", "must provide at least one nameserver when dnsPolicy is None")
        }
        if let hostname = spec.hostname { add("spec.hostname", NameRules.dnsLabel(hostname)) }
        if let subdomain = spec.subdomain { add("spec.subdomain", NameRules.dnsLabel(subdomain)) }
        for (i, alias) in (spec.hostAliases ?? []).enumerated() where !IPAddress.isValid(alias.ip) {
            add("spec.hostAliases[\(i)].ip", "must be a valid IP address, got \"\(alias.ip)\"")
        }
        if let security = spec.securityContext {
            for (field, value) in [
                ("runAsUser", security.runAsUser), ("runAsGroup", security.runAsGroup),
                ("fsGroup", security.fsGroup),
            ] {
                atLeast("spec.securityContext.\(field)", value, 0)
            }
            seccomp("spec.securityContext.seccompProfile", security.seccompProfile)
        }
        // The API server's rule: a pod in its own user namespace shares no host namespace.
        if spec.hostUsers == false, spec.hostNetwork == true {
            add("spec.hostNetwork", "Forbidden: when `pod.Spec.HostUsers` is false")
        }
        let volumeNames = volumes(spec.volumes ?? [])
        var names: [String: String] = [:]
        var ports = PortBook(hostNetwork: spec.hostNetwork ?? false)
        for (i, container) in (spec.initContainers ?? []).enumerated() {
            self.container(
                container, path: "spec.initContainers[\(i)]", isInit: true,
                volumes: volumeNames, names: &names, ports: &ports)
        }
        for (i, container) in spec.containers.enumerated() {
            self.container(
                container, path: "spec.containers[\(i)]", isInit: false,
                volumes: volumeNames, names: &names, ports: &ports)
        }
    }

    /// Returns the declared names so mounts can be checked against them.
    mutating func volumes(_ volumes: [Volume]) -> Set<String> {
        var seen = Set<String>()
        for (i, volume) in volumes.enumerated() {
            let path = "spec.volumes[\(i)]"
            if volume.name.isEmpty {
                add(path + ".name", "is required")
            } else if let problem = NameRules.dnsLabel(volume.name) {
                add(path + ".name", problem)
            } else if !seen.insert(volume.name).inserted {
                add(path + ".name", "duplicate volume name \"\(volume.name)\"")
            }
            switch (volume.emptyDir, volume.hostPath) {
            case (nil, nil): add(path, "must specify a volume type (emptyDir or hostPath)")
            case (.some, .some): add(path, "may not specify more than 1 volume type")
            case (let emptyDir?, nil):
                oneOf(path + ".emptyDir.medium", emptyDir.medium, ["", "Memory"])
                if let size = emptyDir.sizeLimit { quantity(path + ".emptyDir.sizeLimit", size) }
            case (nil, let hostPath?):
                if !hostPath.path.hasPrefix("/") {
                    add(path + ".hostPath.path", "must be an absolute path, got \"\(hostPath.path)\"")
                }
                oneOf(
                    path + ".hostPath.type", hostPath.type,
                    [
                        "", "DirectoryOrCreate", "Directory", "FileOrCreate",
                        "File", "Socket", "CharDevice", "BlockDevice",
                    ])
            }
        }
        return seen
    }

    mutating func seccomp(_ path: String, _ profile: SeccompProfile?) {
        guard let profile else { return }
        oneOf(path + ".type", profile.type, ["RuntimeDefault", "Unconfined", "Localhost"])
        if profile.type == "Localhost", profile.localhostProfile?.isEmpty ?? true {
            add(path + ".localhostProfile", "is required when type is Localhost")
        } else if profile.type != "Localhost", profile.localhostProfile != nil {
            add(path + ".localhostProfile", "may only be set when type is Localhost")
        }
    }

    @discardableResult
    mutating func quantity(_ path: String, _ text: String) -> Quantity? {
        guard let quantity = Quantity(text) else {
            add(path, "invalid quantity \"\(text)\": use a number with an optional suffix such as 128Mi, 1Gi, 500m")
            return nil
        }
        if quantity.value < 0 { add(path, "must be greater than or equal to 0") }
        return quantity
    }
}

/// Ports of a pod share one network namespace: a containerPort/protocol may
/// be declared once per pod, a hostPort/protocol/hostIP once per host.
struct PortBook {
    let hostNetwork: Bool
    var containerPorts: [String: String] = [:]
    var hostPorts: [String: String] = [:]
}
