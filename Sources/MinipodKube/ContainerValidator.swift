/// Per-container rules of PodValidator.
extension Checks {
    static let fieldRefPaths = [
        "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName",
        "spec.serviceAccountName", "status.hostIP", "status.hostIPs",
        "status.podIP", "status.podIPs",
    ]

    mutating func container(
        _ c: Container, path: String, isInit: Bool, volumes: Set<String>,
        names: inout [String: String], ports: inout PortBook
    ) {
        if c.name.isEmpty {
            add(path + ".name", "is required")
        } else if let problem = NameRules.dnsLabel(c.name) {
            add(path + ".name", problem)
        } else if names[c.name] != nil {
            add(path + ".name", "duplicate container name \"\(c.name)\" (names are unique across initContainers and containers)")
        } else {
            names[c.name] = path
        }
        add(path + ".image", NameRules.imageReference(c.image))
        oneOf(path + ".imagePullPolicy", c.imagePullPolicy, ["Always", "IfNotPresent", "Never"])
        oneOf(path + ".terminationMessagePolicy", c.terminationMessagePolicy, ["File", "FallbackToLogsOnError"])
        let sidecar = isInit && c.restartPolicy == "Always"
        if let policy = c.restartPolicy {
            if isInit {
                oneOf(path + ".restartPolicy", policy, ["Always"])
            } else {
                add(path + ".restartPolicy", "may only be set on init containers (restartPolicy: Always makes a native sidecar)")
            }
        }
        if isInit && !sidecar {
            for (field, set) in [
                ("livenessProbe", c.livenessProbe != nil), ("readinessProbe", c.readinessProbe != nil),
                ("startupProbe", c.startupProbe != nil), ("lifecycle", c.lifecycle != nil),
            ] where set {
                add("\(path).\(field)", "may not be set for init containers without restartPolicy: Always")
            }
        }
        if c.envFrom != nil { add(path + ".envFrom", "envFrom is not supported by minipod") }
        env(c.env ?? [], path: path + ".env")
        self.ports(c, path: path, book: &ports)
        mounts(c.volumeMounts ?? [], path: path + ".volumeMounts", volumes: volumes)
        resources(c.resources, path: path + ".resources")
        probe(c.livenessProbe, path: path + ".livenessProbe", kind: .liveness)
        probe(c.readinessProbe, path: path + ".readinessProbe", kind: .readiness)
        probe(c.startupProbe, path: path + ".startupProbe", kind: .startup)
        handler(c.lifecycle?.postStart, path: path + ".lifecycle.postStart")
        handler(c.lifecycle?.preStop, path: path + ".lifecycle.preStop")
        security(c.securityContext, path: path + ".securityContext")
    }

    mutating func env(_ vars: [EnvVar], path: String) {
        for (i, variable) in vars.enumerated() {
            let p = "\(path)[\(i)]"
            add(p + ".name", variable.name.isEmpty ? "is required" : NameRules.envName(variable.name))
            guard let source = variable.valueFrom else { continue }
            if let value = variable.value, !value.isEmpty {
                add(p + ".valueFrom", "may not be specified when value is not empty")
            }
            guard let fieldPath = source.fieldRef?.fieldPath else {
                add(p + ".valueFrom", "must specify fieldRef (the only source minipod supports)")
                continue
            }
            let labelRef = fieldPath.hasPrefix("metadata.labels['") || fieldPath.hasPrefix("metadata.annotations['")
            if !Self.fieldRefPaths.contains(fieldPath), !(labelRef && fieldPath.hasSuffix("']")) {
                add(
                    p + ".valueFrom.fieldRef.fieldPath",
                    "unsupported value \"\(fieldPath)\": supported values: "
                        + Self.fieldRefPaths.map { "\"\($0)\"" }.joined(separator: ", ") + ", metadata.labels['<key>'], metadata.annotations['<key>']"
                )
            }
        }
    }

    mutating func ports(_ c: Container, path: String, book: inout PortBook) {
        var portNames = Set<String>()
        for (i, port) in (c.ports ?? []).enumerated() {
            let p = "\(path).ports[\(i)]"
            let proto = port.protocol ?? "TCP"
            oneOf(p + ".protocol", port.protocol, ["TCP", "UDP", "SCTP"])
            if let name = port.name {
                if let problem = NameRules.portName(name) {
                    add(p + ".name", problem)
                } else if !portNames.insert(name).inserted {
                    add(p + ".name", "duplicate port name \"\(name)\"")
                }
            }
            if !(1...65535).contains(port.containerPort) {
                add(p + ".containerPort", "must be between 1 and 65535, inclusive, got \(port.containerPort)")
            } else {
                let key = "\(port.containerPort)/\(proto)"
                if let other = book.containerPorts[key] {
                    add(p + ".containerPort", "port \(key) is already declared by \(other) (containers of a pod share one network namespace)")
                } else {
                    book.containerPorts[key] = "container \"\(c.name)\""
                }
            }
            guard let hostPort = port.hostPort, hostPort != 0 else { continue }
            if !(1...65535).contains(hostPort) {
                add(p + ".hostPort", "must be between 1 and 65535, inclusive, got \(hostPort)")
                continue
            }
            if book.hostNetwork, hostPort != port.containerPort {
                add(p + ".hostPort", "must match containerPort when hostNetwork is true")
            }
            if let ip = port.hostIP, !IPAddress.isValid(ip) {
                add(p + ".hostIP", "must be a valid IP address, got \"\(ip)\"")
            }
            let key = "\(port.hostIP ?? "0.0.0.0"):\(hostPort)/\(proto)"
            if book.hostPorts[key] != nil {
                add(p + ".hostPort", "duplicate host port \(key)")
            }
            book.hostPorts[key] = c.name
        }
    }

    mutating func mounts(_ mounts: [VolumeMount], path: String, volumes: Set<String>) {
        var mountPaths = Set<String>()
        for (i, mount) in mounts.enumerated() {
            let p = "\(path)[\(i)]"
            if mount.name.isEmpty {
                add(p + ".name", "is required")
            } else if !volumes.contains(mount.name) {
                add(p + ".name", "volume \"\(mount.name)\" not found")
            }
            let target = mount.mountPath
            if target.isEmpty {
                add(p + ".mountPath", "is required")
            } else if !target.hasPrefix("/") {
                add(p + ".mountPath", "must be an absolute path, got \"\(target)\"")
            } else if target.split(separator: "/").contains("..") {
                add(p + ".mountPath", "must not contain '..'")
            } else if !mountPaths.insert(Self.clean(target)).inserted {
                add(p + ".mountPath", "must be unique: \"\(target)\" is mounted twice")
            }
            if let sub = mount.subPath, !sub.isEmpty, let expr = mount.subPathExpr, !expr.isEmpty {
                add(p + ".subPathExpr", "subPathExpr and subPath are mutually exclusive")
            }
            for (name, sub) in [("subPath", mount.subPath), ("subPathExpr", mount.subPathExpr)] {
                if let problem = sub.flatMap(subPathProblem) { add(p + "." + name, problem) }
            }
        }
    }

    static func clean(_ path: String) -> String {
        "/" + path.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
    }

    static let resourceNames = ["cpu", "memory", "ephemeral-storage"]

    mutating func resources(_ resources: ResourceRequirements?, path: String) {
        guard let resources else { return }
        var limits: [String: Quantity] = [:]
        for (name, text) in (resources.limits ?? [:]).sorted(by: { $0.key < $1.key }) {
            if resourceName(name, path: path + ".limits") { limits[name] = quantity("\(path).limits.\(name)", text) }
        }
        for (name, text) in (resources.requests ?? [:]).sorted(by: { $0.key < $1.key }) {
            guard resourceName(name, path: path + ".requests"),
                let request = quantity("\(path).requests.\(name)", text)
            else { continue }
            if let limit = limits[name], request.value > limit.value {
                add("\(path).requests.\(name)", "must be less than or equal to \(name) limit of \(limit.text)")
            }
        }
    }

    private mutating func resourceName(_ name: String, path: String) -> Bool {
        if Self.resourceNames.contains(name) || name.hasPrefix("hugepages-") { return true }
        add(path, "resource \"\(name)\" is not supported by minipod (cpu, memory, ephemeral-storage, hugepages-<size>)")
        return false
    }

    enum ProbeKind { case liveness, readiness, startup }

    mutating func probe(_ probe: Probe?, path: String, kind: ProbeKind) {
        guard let probe else { return }
        switch probe.handlerCount {
        case 0: add(path, "must specify a handler type (exec, httpGet or tcpSocket)")
        case 1: break
        default: add(path, "may not specify more than 1 handler type")
        }
        action(exec: probe.exec, httpGet: probe.httpGet, path: path)
        if let tcp = probe.tcpSocket { port(tcp.port, path: path + ".tcpSocket.port") }
        atLeast(path + ".initialDelaySeconds", probe.initialDelaySeconds, 0)
        atLeast(path + ".timeoutSeconds", probe.timeoutSeconds, 0)
        atLeast(path + ".periodSeconds", probe.periodSeconds, 0)
        atLeast(path + ".successThreshold", probe.successThreshold, 0)
        atLeast(path + ".failureThreshold", probe.failureThreshold, 0)
        if kind != .readiness, let success = probe.successThreshold, success > 1 {
            add(path + ".successThreshold", "must be 1")
        }
        if let grace = probe.terminationGracePeriodSeconds {
            if kind == .readiness {
                add(path + ".terminationGracePeriodSeconds", "must not be set for readinessProbes")
            } else {
                atLeast(path + ".terminationGracePeriodSeconds", grace, 1)
            }
        }
    }

    mutating func handler(_ handler: LifecycleHandler?, path: String) {
        guard let handler else { return }
        let count = [handler.exec != nil, handler.httpGet != nil, handler.sleep != nil].filter { $0 }.count
        if count == 0 { add(path, "must specify a handler type (exec, httpGet or sleep)") }
        if count > 1 { add(path, "may not specify more than 1 handler type") }
        action(exec: handler.exec, httpGet: handler.httpGet, path: path)
        if let sleep = handler.sleep { atLeast(path + ".sleep.seconds", sleep.seconds, 0) }
    }

    private mutating func action(exec: ExecAction?, httpGet: HTTPGetAction?, path: String) {
        if let exec, exec.command?.isEmpty ?? true { add(path + ".exec.command", "is required") }
        if let get = httpGet {
            port(get.port, path: path + ".httpGet.port")
            oneOf(path + ".httpGet.scheme", get.scheme, ["HTTP", "HTTPS"])
        }
    }

    private mutating func port(_ port: IntOrString, path: String) {
        switch port {
        case .int(let number) where !(1...65535).contains(number):
            add(path, "must be between 1 and 65535, inclusive, got \(number)")
        case .string(let name):
            add(path, NameRules.portName(name))
        default:
            break
        }
    }

    mutating func security(_ context: SecurityContext?, path: String) {
        guard let context else { return }
        atLeast(path + ".runAsUser", context.runAsUser, 0)
        atLeast(path + ".runAsGroup", context.runAsGroup, 0)
        if context.privileged == true, context.allowPrivilegeEscalation == false {
            add(path, "cannot set allowPrivilegeEscalation to false and privileged to true")
        }
        seccomp(path + ".seccompProfile", context.seccompProfile)
    }
}

/// Why a subPath (as written, or as a subPathExpr expands) is not a path inside its
/// volume; nil when it is. Lexical only: symlinks are the runtime's to refuse.
public func subPathProblem(_ sub: String) -> String? {
    if sub.hasPrefix("/") { return "must be a relative path, got \"\(sub)\"" }
    if sub.split(separator: "/").contains("..") { return "must not contain '..'" }
    return nil
}
