import Foundation
import Testing

@testable import MinipodNet

/// A connected TCP pair on 127.0.0.1: (client, accepted).
private func loopbackPair() throws -> (Int32, Int32) {
    let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(listener) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = in_addr_t(0x7f00_0001).bigEndian
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    try withUnsafeMutablePointer(to: &addr) { pointer in
        try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            try #require(bind(listener, $0, length) == 0 && listen(listener, 1) == 0 && getsockname(listener, $0, &length) == 0)
        }
    }
    let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    try withUnsafePointer(to: &addr) { pointer in
        try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { try #require(connect(client, $0, length) == 0) }
    }
    return (client, accept(listener, nil, nil))
}

private func congestionControl(_ fd: Int32) -> String {
    var name = [CChar](repeating: 0, count: 16)
    var length = socklen_t(name.count)
    _ = getsockopt(fd, Int32(IPPROTO_TCP), TCP_CONGESTION, &name, &length)
    return String(cString: name)
}

private var bbrAvailable: Bool {
    ((try? String(contentsOfFile: "/proc/sys/net/ipv4/tcp_available_congestion_control", encoding: .utf8)) ?? "")
        .split(separator: " ").contains { $0.hasPrefix("bbr") } && getuid() == 0
}

struct PortForwarderSocketTests {
    @Test func aLoopbackPeerIsRecognised() throws {
        let (client, accepted) = try loopbackPair()
        defer {
            close(client)
            close(accepted)
        }
        #expect(PortForwarder.peerIsLoopback(accepted))
        #expect(PortForwarder.peerIsLoopback(client))
        #expect(!PortForwarder.peerIsLoopback(-1))
    }

    /// A forwarded loopback connection on a host whose default paces (bbr) sends unpaced.
    @Test(.enabled(if: bbrAvailable)) func aPacedLoopbackSocketIsSwitchedToAnUnpacedAlgorithm() throws {
        let (client, accepted) = try loopbackPair()
        defer {
            close(client)
            close(accepted)
        }
        let bbr = "bbr"
        #expect(bbr.withCString { setsockopt(accepted, Int32(IPPROTO_TCP), TCP_CONGESTION, $0, socklen_t(strlen($0))) } == 0)
        #expect(congestionControl(accepted) == "bbr")
        PortForwarder.avoidPacingOnLoopback(accepted)
        #expect(["cubic", "reno"].contains(congestionControl(accepted)))
        // Anything else the host chose stays.
        let reno = "reno"
        #expect(reno.withCString { setsockopt(client, Int32(IPPROTO_TCP), TCP_CONGESTION, $0, socklen_t(strlen($0))) } == 0)
        PortForwarder.avoidPacingOnLoopback(client)
        #expect(congestionControl(client) == "reno")
    }
}
