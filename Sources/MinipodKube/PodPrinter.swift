import Foundation
import Yams

/// `minipod get pods` output, column for column as `kubectl get pods`.
public enum PodPrinter {
    public static func statusString(for pod: Pod) -> String { PodSummary(pod).reason }

    public static func readyString(for pod: Pod) -> String {
        let summary = PodSummary(pod)
        return "\(summary.ready)/\(summary.total)"
    }

    /// "0", or "3 (5m ago)" after the latest restart's finishedAt.
    public static func restartsString(for pod: Pod, now: Date = Date()) -> String {
        let summary = PodSummary(pod)
        guard summary.restarts != 0, let last = summary.lastRestart else { return String(summary.restarts) }
        return "\(summary.restarts) (\(humanDuration(now.timeIntervalSince(last))) ago)"
    }

    public static func age(of pod: Pod, now: Date = Date()) -> String {
        guard let created = pod.metadata.creationTimestamp.flatMap(KubeTime.parse) else { return "<unknown>" }
        return humanDuration(now.timeIntervalSince(created))
    }

    /// `k=v,k2=v2` sorted by key, `<none>` without labels (labels.FormatLabels).
    public static func labelsString(for pod: Pod) -> String {
        let labels = pod.metadata.labels ?? [:]
        if labels.isEmpty { return "<none>" }
        return labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }

    public static func table(
        pods: [Pod], wide: Bool = false, showLabels: Bool = false,
        now: Date = Date(), includeHeader: Bool = true
    ) -> String {
        var rows: [[String]] = []
        if includeHeader {
            var header = ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
            if wide { header += ["IP", "NODE", "NOMINATED NODE", "READINESS GATES"] }
            if showLabels { header.append("LABELS") }
            rows.append(header)
        }
        for pod in pods {
            let summary = PodSummary(pod)
            var row = [
                pod.metadata.name, "\(summary.ready)/\(summary.total)", summary.reason,
                restartsString(for: pod, now: now), age(of: pod, now: now),
            ]
            if wide {
                let ip = pod.status?.podIPs?.first?.ip ?? ""
                row += [
                    ip.isEmpty ? "<none>" : ip, nonEmpty(pod.spec.nodeName),
                    nonEmpty(pod.status?.nominatedNodeName), "<none>",
                ]
            }
            if showLabels { row.append(labelsString(for: pod)) }
            rows.append(row)
        }
        return TabWriter.format(rows)
    }

    private static func nonEmpty(_ text: String?) -> String {
        guard let text, !text.isEmpty else { return "<none>" }
        return text
    }
}

/// Go's text/tabwriter as kubectl configures it (minwidth 6, padding 3,
/// spaces): every column but the last padded to its widest cell.
enum TabWriter {
    static let minWidth = 6
    static let padding = 3

    static func format(_ rows: [[String]]) -> String {
        let columns = rows.map(\.count).max() ?? 0
        var widths = Array(repeating: minWidth, count: columns)
        for row in rows {
            for (i, cell) in row.enumerated() where i < row.count - 1 {
                widths[i] = max(widths[i], cell.count + padding)
            }
        }
        var out = ""
        for row in rows {
            for (i, cell) in row.enumerated() {
                out += cell
                if i < row.count - 1 { out += String(repeating: " ", count: widths[i] - cell.count) }
            }
            out += "\n"
        }
        return out
    }
}
