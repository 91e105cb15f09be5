import Foundation
import MinipodKube
import MinipodRuntime

/// `minipod describe pod`, laid out as kubectl's describer prints a Pod.
public enum PodDescriber {
    /// idRange: the pod's block of host IDs (`hostUsers: false`), from runtime.json.
    public static func render(_ pod: Pod, events: [PodEvent], idRange: IDRange? = nil, now: Date = Date()) -> String {
        var out = ""
        func line(_ label: String, _ value: String, indent: Int = 0) {
            let pad = String(repeating: " ", count: indent)
            out += pad + (label + ":").padding(toLength: max(label.count + 2, 18 - indent), withPad: " ", startingAt: 0) + value + "\n"
        }
        let status = pod.status
        line("Name", pod.metadata.name)
        line("Namespace", pod.metadata.namespace ?? "default")
        line("Priority", "0")
        line("Node", "\(pod.spec.nodeName ?? "<none>")/\(status?.hostIP ?? "")")
        line("Start Time", status?.startTime.flatMap(KubeTime.parse).map(longDate) ?? "<unset>")
        line("Labels", keyValues(pod.metadata.labels, indent: 18))
        line("Annotations", keyValues(pod.metadata.annotations, indent: 18))
        line("Status", pod.metadata.deletionTimestamp != nil ? "Terminating" : (status?.phase ?? "Pending"))
        if let reason = status?.reason { line("Reason", reason) }
        if let message = status?.message { line("Message", message) }
        line("IP", status?.podIP ?? "")
        out += "IPs:\n"
        for ip in status?.podIPs ?? [] { out += "  IP:  \(ip.ip)\n" }
        // Not in kubectl's describer (the API does not hold the range); minipod knows it.
        if pod.spec.hostUsers == false {
            line("User Namespace", idRange.map(userNamespaceText) ?? "<not yet allocated>")
        }
        if let inits = pod.spec.initContainers, !inits.isEmpty {
            out += "Init Containers:\n"
            for c in inits { out += container(c, status: status?.initContainerStatuses?.first { $0.name == c.name }) }
        }
        out += "Containers:\n"
        for c in pod.spec.containers { out += container(c, status: status?.containerStatuses?.first { $0.name == c.name }) }
        out += "Conditions:\n  Type                        Status\n"
        for c in status?.conditions ?? [] { out += "  " + c.type.padding(toLength: 28, withPad: " ", startingAt: 0) + c.status + "\n" }
        out += "Volumes:\n"
        for v in pod.spec.volumes ?? [] {
            out += "  \(v.name):\n"
            if let e = v.emptyDir {
                out += "    Type:       EmptyDir (a temporary directory that shares a pod's lifetime)\n"
                out += "    Medium:     \(e.medium ?? "")\n    SizeLimit:  \(e.sizeLimit ?? "<unset>")\n"
            } else if let h = v.hostPath {
                out += "    Type:          HostPath (bare host directory volume)\n    Path:          \(h.path)\n    HostPathType:  \(h.type ?? "")\n"
            }
        }
        if (pod.spec.volumes ?? []).isEmpty { out += "  <none>\n" }
        line("QoS Class", status?.qosClass ?? "BestEffort")
        line("Node-Selectors", "<none>")
        line("Tolerations", "<none>")
        if events.isEmpty {
            out += "Events:            <none>\n"
        } else {
            out += "Events:\n"
            var rows = [["Type", "Reason", "Age", "From", "Message"], ["----", "------", "----", "----", "-------"]]
            for e in events {
                let first = KubeTime.parse(e.firstTimestamp).map { humanDuration(now.timeIntervalSince($0)) } ?? "?"
                let last = KubeTime.parse(e.lastTimestamp).map { humanDuration(now.timeIntervalSince($0)) } ?? "?"
                let age = e.count > 1 ? "\(last) (x\(e.count) over \(first))" : first
                rows.append([e.type, e.reason, age, "kubelet", e.message])
            }
            let widths = (0..<4).map { col in rows.map { $0[col].count }.max()! + 2 }
            for row in rows {
                out += "  " + (0..<4).map { row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined() + row[4] + "\n"
            }
        }
        return out
    }

    static func container(_ c: Container, status: ContainerStatus?) -> String {
        var out = "  \(c.name):\n"
        func line(_ label: String, _ value: String, indent: Int = 4) {
            out +=
                String(repeating: " ", count: indent) + (label + ":").padding(toLength: max(label.count + 2, 16), withPad: " ", startingAt: 0) + value
                + "\n"
        }
        line("Container ID", status?.containerID ?? "")
        line("Image", c.image)
        line("Image ID", status?.imageID ?? "")
        let ports = (c.ports ?? []).map { "\($0.containerPort)/\($0.protocol ?? "TCP")" }
        line(ports.count > 1 ? "Ports" : "Port", ports.isEmpty ? "<none>" : ports.joined(separator: ", "))
        let hostPorts = (c.ports ?? []).map { "\($0.hostPort ?? 0)/\($0.protocol ?? "TCP")" }
        line(hostPorts.count > 1 ? "Host Ports" : "Host Port", hostPorts.isEmpty ? "<none>" : hostPorts.joined(separator: ", "))
        // Multi-line scripts keep kubectl's indentation on every line.
        func list(_ items: [String]) -> String {
            items.map { "      " + $0.trimmingCharacters(in: .newlines).replacingOccurrences(of: "\n", with: "\n      ") + "\n" }.joined()
        }
        if let command = c.command { out += "    Command:\n" + list(command) }
        if let args = c.args { out += "    Args:\n" + list(args) }
        out += state("State", status?.state)
        if let last = status?.lastState, last.terminated != nil || last.waiting != nil || last.running != nil {
            out += state("Last State", last)
        }
        line("Ready", status?.ready == true ? "True" : "False")
        line("Restart Count", String(status?.restartCount ?? 0))
        for (label, probe) in [("Liveness", c.livenessProbe), ("Readiness", c.readinessProbe), ("Startup", c.startupProbe)] {
            guard let p = probe else { continue }
            line(
                label,
                "\(probeText(p)) delay=\(p.initialDelaySeconds ?? 0)s timeout=\(p.timeoutSeconds ?? 1)s period=\(p.periodSeconds ?? 10)s #success=\(p.successThreshold ?? 1) #failure=\(p.failureThreshold ?? 3)"
            )
        }
        let env = c.env ?? []
        if env.isEmpty {
            line("Environment", "<none>")
        } else {
            out += "    Environment:\n"
            for e in env { out += "      \(e.name):  \(e.value ?? e.valueFrom?.fieldRef.map { "(v1:\($0.fieldPath))" } ?? "")\n" }
        }
        let mounts = c.volumeMounts ?? []
        if mounts.isEmpty {
            line("Mounts", "<none>")
        } else {
            out += "    Mounts:\n"
            for m in mounts { out += "      \(m.mountPath) from \(m.name) (\(m.readOnly == true ? "ro" : "rw"))\n" }
        }
        return out
    }

    /// "0-65535 → host 1879048192-1879113727": the pod's IDs and the host's they are.
    static func userNamespaceText(_ range: IDRange) -> String {
        "uids and gids 0-\(range.size - 1) → host \(range.base)-\(range.base + (range.size - 1))"
    }

    static func state(_ label: String, _ s: ContainerState?) -> String {
        let pad = "    " + (label + ":").padding(toLength: 16, withPad: " ", startingAt: 0)
        if let r = s?.running {
            return pad + "Running\n      Started:      \(r.startedAt.flatMap(KubeTime.parse).map(longDate) ?? "")\n"
        }
        if let t = s?.terminated {
            var text = pad + "Terminated\n      Reason:       \(t.reason ?? "")\n      Exit Code:    \(t.exitCode)\n"
            if let signal = t.signal { text += "      Signal:       \(signal)\n" }
            text += "      Started:      \(t.startedAt.flatMap(KubeTime.parse).map(longDate) ?? "")\n"
            text += "      Finished:     \(t.finishedAt.flatMap(KubeTime.parse).map(longDate) ?? "")\n"
            return text
        }
        if let w = s?.waiting {
            return pad + "Waiting\n      Reason:       \(w.reason ?? "")\n"
        }
        return pad + "Waiting\n"
    }

    static func probeText(_ p: Probe) -> String {
        if let h = p.httpGet { return "http-get \(h.scheme?.lowercased() ?? "http")://\(h.host ?? ""):\(h.port)\(h.path ?? "/")" }
        if let t = p.tcpSocket { return "tcp-socket :\(t.port)" }
        if let e = p.exec { return "exec [\((e.command ?? []).joined(separator: " "))]" }
        return "<none>"
    }

    static func keyValues(_ map: [String: String]?, indent: Int) -> String {
        guard let map, !map.isEmpty else { return "<none>" }
        return map.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\n" + String(repeating: " ", count: indent))
    }

    /// "Wed, 02 Dec 2026 06:17:06 +0000", as kubectl prints times (RFC1123Z).
    static func longDate(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return f.string(from: date)
    }
}
