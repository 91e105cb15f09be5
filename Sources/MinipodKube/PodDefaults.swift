/// The defaults the Kubernetes API server fills in on create, so the pod
/// minipod stores and prints looks like the one kubectl would show.
public enum PodDefaults {
    public static func apply(to pod: inout Pod) {
        if pod.metadata.namespace?.isEmpty ?? true { pod.metadata.namespace = "default" }
        let hostNetwork = pod.spec.hostNetwork ?? false
        pod.spec.restartPolicy = pod.spec.restartPolicy ?? "Always"
        pod.spec.terminationGracePeriodSeconds = pod.spec.terminationGracePeriodSeconds ?? 30
        pod.spec.dnsPolicy = pod.spec.dnsPolicy ?? "ClusterFirst"
        pod.spec.schedulerName = pod.spec.schedulerName ?? "default-scheduler"
        pod.spec.enableServiceLinks = pod.spec.enableServiceLinks ?? true
        pod.spec.securityContext = pod.spec.securityContext ?? PodSecurityContext()
        for i in pod.spec.containers.indices {
            apply(to: &pod.spec.containers[i], hostNetwork: hostNetwork)
        }
        if var inits = pod.spec.initContainers {
            for i in inits.indices { apply(to: &inits[i], hostNetwork: hostNetwork) }
            pod.spec.initContainers = inits
        }
    }

    static func apply(to container: inout Container, hostNetwork: Bool) {
        container.imagePullPolicy = container.imagePullPolicy ?? pullPolicy(for: container.image)
        container.terminationMessagePath = container.terminationMessagePath ?? "/dev/termination-log"
        container.terminationMessagePolicy = container.terminationMessagePolicy ?? "File"
        container.resources = container.resources ?? ResourceRequirements()
        if var ports = container.ports {
            for i in ports.indices {
                ports[i].protocol = ports[i].protocol ?? "TCP"
                // With the host's network the container port is the host port.
                if hostNetwork, ports[i].hostPort ?? 0 == 0 { ports[i].hostPort = ports[i].containerPort }
            }
            container.ports = ports
        }
        apply(to: &container.livenessProbe)
        apply(to: &container.readinessProbe)
        apply(to: &container.startupProbe)
        if container.lifecycle?.postStart?.httpGet != nil { apply(to: &container.lifecycle!.postStart!.httpGet!) }
        if container.lifecycle?.preStop?.httpGet != nil { apply(to: &container.lifecycle!.preStop!.httpGet!) }
    }

    /// Zero counts as unset, as in Go where 0 is the zero value.
    static func apply(to probe: inout Probe?) {
        guard var p = probe else { return }
        if p.timeoutSeconds ?? 0 == 0 { p.timeoutSeconds = 1 }
        if p.periodSeconds ?? 0 == 0 { p.periodSeconds = 10 }
        if p.successThreshold ?? 0 == 0 { p.successThreshold = 1 }
        if p.failureThreshold ?? 0 == 0 { p.failureThreshold = 3 }
        if p.httpGet != nil { apply(to: &p.httpGet!) }
        probe = p
    }

    static func apply(to get: inout HTTPGetAction) {
        if get.path?.isEmpty ?? true { get.path = "/" }
        get.scheme = get.scheme ?? "HTTP"
    }

    /// Always for `:latest` or no tag (a moving target), IfNotPresent otherwise.
    public static func pullPolicy(for image: String) -> String {
        if image.contains("@") { return "IfNotPresent" }
        let lastComponent = image.split(separator: "/").last ?? Substring(image)
        guard let colon = lastComponent.lastIndex(of: ":") else { return "Always" }
        return lastComponent[lastComponent.index(after: colon)...] == "latest" ? "Always" : "IfNotPresent"
    }
}
