/// kubectl's AGE format, ported from k8s.io/apimachinery/pkg/util/duration
/// HumanDuration: about two significant figures, "<invalid>" for clock skew
/// beyond two seconds.
public func humanDuration(_ seconds: Double) -> String {
    // Go works on integer nanoseconds and truncates toward zero; so do we.
    let nanos = Int64((seconds * 1e9).rounded(.towardZero))
    let secs = nanos / 1_000_000_000
    if secs < -1 { return "<invalid>" }
    if secs < 0 { return "0s" }
    if secs < 60 * 2 { return "\(secs)s" }
    let minutes = secs / 60
    if minutes < 10 {
        let s = secs % 60
        return s == 0 ? "\(minutes)m" : "\(minutes)m\(s)s"
    }
    if minutes < 60 * 3 { return "\(minutes)m" }
    let hours = minutes / 60
    if hours < 8 {
        let m = minutes % 60
        return m == 0 ? "\(hours)h" : "\(hours)h\(m)m"
    }
    if hours < 48 { return "\(hours)h" }
    if hours < 24 * 8 {
        let h = hours % 24
        return h == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(h)h"
    }
    if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
    if hours < 24 * 365 * 8 {
        let days = (hours / 24) % 365
        return days == 0 ? "\(hours / 24 / 365)y" : "\(hours / 24 / 365)y\(days)d"
    }
    return "\(hours / 24 / 365)y"
}
