import Foundation

/// Kubernetes timestamps (metav1.Time) are RFC 3339 strings with second
/// precision in UTC, e.g. `2026-01-26T10:00:00Z`; the API types keep them as
/// strings so a pod round-trips through state.json byte for byte.
public enum KubeTime {
    public static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        // metav1.Time drops sub-second precision; round down like Go's Truncate.
        return formatter.string(from: Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)))
    }

    /// Accepts `Z` or a numeric offset and optional fractional seconds, as Go's
    /// time.RFC3339 parser does; returns nil for anything else.
    public static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }

    public static func now() -> String { format(Date()) }
}
