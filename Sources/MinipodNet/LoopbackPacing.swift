import CMinipod
import Foundation
import MinipodSystem

/// A paced congestion control (bbr) as a host's default makes every TCP sender,
/// loopback ones included, cut its data into bursts timed to a pacing rate. On
/// loopback there is no network to probe and no queue to keep short, so pacing
/// is pure cost: on a 2-core VM a bbr sender spends ~5× the CPU of a cubic one
/// per GiB, and each extra loopback hop (a port-forward) pays it again.
/// minipod keeps pacing off the hops that never leave a machine; traffic to the
/// world keeps the host's choice.
public enum LoopbackPacing {
    /// Linux's default, then reno (always built in).
    static let unpacedAlgorithms = ["cubic", "reno"]

    static func isPaced(_ algorithm: String) -> Bool { algorithm.hasPrefix("bbr") }

    static func congestionControl(of fd: Int32) -> String? {
        var name = [CChar](repeating: 0, count: 16)
        var length = socklen_t(name.count)
        guard getsockopt(fd, Int32(IPPROTO_TCP), TCP_CONGESTION, &name, &length) == 0 else { return nil }
        return String(cString: name)
    }

    /// Switches a paced TCP socket to the first unpaced algorithm the kernel has; returns it
    /// (nil: the socket was not paced, or no unpaced algorithm could be set).
    @discardableResult
    static func unpace(_ fd: Int32) -> String? {
        guard let current = congestionControl(of: fd), isPaced(current) else { return nil }
        return unpacedAlgorithms.first { algorithm in
            algorithm.withCString { setsockopt(fd, Int32(IPPROTO_TCP), TCP_CONGESTION, $0, socklen_t(strlen($0))) } == 0
        }
    }

    /// A pod's own traffic over loopback (sidecar to app on localhost, port-forward's
    /// pod-side hop, the pod's own IP): when the pod's network namespace defaults to a
    /// paced algorithm, its local routes (127/8, ::1, its IPv4 addresses) get an
    /// unpaced one as their route metric (`ip route ... congctl cubic`). The namespace's
    /// default and its routes to the world stay. The kernel gives a new loopback connection
    /// the route's algorithm even over one an application set before connect() or listen();
    /// a setsockopt(TCP_CONGESTION) on the connected socket still wins.
    /// Returns the algorithm set, or nil when the namespace does not pace.
    @discardableResult
    public static func unpacePodLocalRoutes(netns: String) throws -> String? {
        let netnsFD = open(netns, O_RDONLY | O_CLOEXEC)
        if netnsFD < 0 { throw MinipodError.sys("open \(netns)") }
        defer { close(netnsFD) }
        // A socket of the namespace shows its default and which unpaced algorithm it can set.
        let probe = mp_socket_in(netnsFD, AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if probe < 0 { throw MinipodError.sys("TCP socket in \(netns)") }
        defer { close(probe) }
        guard let algorithm = unpace(probe) else { return nil }
        let routes = try Netlink(socket: mp_nl_open_in(netnsFD), what: "pod")
        defer { routes.close() }
        if mp_nl_local_routes_congctl(routes.socket, algorithm) < 0 {
            throw MinipodError.sys("netlink: set congestion control \(algorithm) on the local routes of \(netns)")
        }
        return algorithm
    }
}
