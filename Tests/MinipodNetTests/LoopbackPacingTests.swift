import CMinipod
import Foundation
import Testing

@testable import MinipodNet

/// A network namespace of the test's own (held by `unshare --net sleep`), lo up, with
/// `algorithm` as its default congestion control.
private final class ScratchNetns {
    let holder = Process()
    var path: String { "/proc/\(holder.processIdentifier)/ns/net" }

    init(defaultCongestionControl algorithm: String) throws {
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        holder.arguments = ["--net", "sleep", "infinity"]
        try holder.run()
        let deadline = Date().addingTimeInterval(5)
        while (try? FileManager.default.destinationOfSymbolicLink(atPath: path))
            == (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/net"))
        {
            guard Date() < deadline else { throw CocoaError(.fileReadUnknown) }
            usleep(5_000)
        }
        try #require(run("ip link set lo up").status == 0)
        let set = run("sysctl -qw net.ipv4.tcp_congestion_control=\(algorithm)")
        try #require(set.status == 0, "\(set.output)")
    }

    // SIGKILL: the test process blocks SIGTERM in its threads, and the child inherits that mask.
    deinit {
        kill(holder.processIdentifier, SIGKILL)
        holder.waitUntilExit()
    }

    /// A command run inside the namespace (nsenter).
    func run(_ command: String) -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/nsenter")
        p.arguments = ["--net=\(path)", "sh", "-c", command]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try? p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Congestion control of the server side of a TCP connection to `address` made in the namespace.
    func acceptedCongestionControl(_ address: String) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        defer { close(fd) }
        let family = address.contains(":") ? AF_INET6 : AF_INET
        let listener = mp_socket_in(fd, family, Int32(SOCK_STREAM.rawValue), 0)
        let client = mp_socket_in(fd, family, Int32(SOCK_STREAM.rawValue), 0)
        defer {
            close(listener)
            close(client)
        }
        var storage = sockaddr_storage()
        var length = socklen_t(family == AF_INET6 ? MemoryLayout<sockaddr_in6>.size : MemoryLayout<sockaddr_in>.size)
        withUnsafeMutableBytes(of: &storage) { raw in
            if family == AF_INET6 {
                var a = sockaddr_in6()
                a.sin6_family = sa_family_t(AF_INET6)
                _ = inet_pton(AF_INET6, address, &a.sin6_addr)
                raw.storeBytes(of: a, as: sockaddr_in6.self)
            } else {
                var a = sockaddr_in()
                a.sin_family = sa_family_t(AF_INET)
                _ = inet_pton(AF_INET, address, &a.sin_addr)
                raw.storeBytes(of: a, as: sockaddr_in.self)
            }
        }
        try withUnsafeMutablePointer(to: &storage) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                try #require(bind(listener, $0, length) == 0 && listen(listener, 1) == 0 && getsockname(listener, $0, &length) == 0)
                try #require(connect(client, $0, length) == 0, "connect to \(address): errno \(errno)")
            }
        }
        let accepted = accept(listener, nil, nil)
        defer { close(accepted) }
        return LoopbackPacing.congestionControl(of: accepted) ?? "?"
    }
}

/// bbr can be made a namespace's default here (loaded, or a module the kernel can load).
private var bbrLoadable: Bool {
    guard getuid() == 0 else { return false }
    let available = (try? String(contentsOfFile: "/proc/sys/net/ipv4/tcp_available_congestion_control", encoding: .utf8)) ?? ""
    if available.split(separator: " ").contains(where: { $0.hasPrefix("bbr") }) { return true }
    var name = utsname()
    uname(&name)
    let release = withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    let modules = (try? String(contentsOfFile: "/lib/modules/\(release)/modules.dep", encoding: .utf8)) ?? ""
    return modules.contains("/tcp_bbr.ko")
}

@Suite(.serialized) struct LoopbackPacingTests {
    @Test func onlyBBRCountsAsPaced() {
        #expect(LoopbackPacing.isPaced("bbr"))
        #expect(LoopbackPacing.isPaced("bbr2"))
        #expect(!LoopbackPacing.isPaced("cubic"))
        #expect(!LoopbackPacing.isPaced("reno"))
        #expect(!LoopbackPacing.isPaced("dctcp"))
    }

    /// A pod namespace that defaults to bbr: connections that stay in it (127/8, ::1,
    /// its own addresses) are cubic; its routes to elsewhere and its default are untouched.
    @Test(.enabled(if: bbrLoadable, "needs root and a kernel with tcp_bbr"))
    func aPacedNamespaceGetsUnpacedLocalRoutes() throws {
        let netns = try ScratchNetns(defaultCongestionControl: "bbr")
        #expect(netns.run("ip addr add 10.199.0.5/24 dev lo && ip route add 10.198.0.0/24 dev lo").status == 0)
        #expect(try netns.acceptedCongestionControl("127.0.0.1") == "bbr")
        let algorithm = try #require(try LoopbackPacing.unpacePodLocalRoutes(netns: netns.path))
        #expect(["cubic", "reno"].contains(algorithm))
        let local4 = netns.run("ip -4 route show table local").output
        let local6 = netns.run("ip -6 route show table local").output
        for destination in ["local 127.0.0.0/8 ", "local 127.0.0.1 ", "local 10.199.0.5 "] {
            let line = local4.split(separator: "\n").first { $0.hasPrefix(destination) } ?? ""
            #expect(line.contains("congctl \(algorithm)"), "\(destination): \(local4)")
        }
        let loopback6 = local6.split(separator: "\n").filter { $0.hasPrefix("local ::1 ") }
        #expect(loopback6.count == 1 && loopback6[0].contains("congctl \(algorithm)"), "\(local6)")
        #expect(!netns.run("ip -4 route show table main").output.contains("congctl"))
        #expect(netns.run("sysctl -n net.ipv4.tcp_congestion_control").output == "bbr\n")
        for address in ["127.0.0.1", "127.0.0.2", "10.199.0.5", "::1"] {
            #expect(try netns.acceptedCongestionControl(address) == algorithm, "\(address)")
        }
        // Again (a supervisor that set up the same namespace twice): nothing doubles.
        #expect(try LoopbackPacing.unpacePodLocalRoutes(netns: netns.path) == algorithm)
        #expect(netns.run("ip -4 route show table local").output == local4)
        #expect(netns.run("ip -6 route show table local").output == local6)
        // lo taken down and up (the kernel makes its routes again): a new call covers them.
        #expect(netns.run("ip link set lo down && ip link set lo up && ip addr add 10.199.0.5/24 dev lo 2>/dev/null; true").status == 0)
        #expect(try LoopbackPacing.unpacePodLocalRoutes(netns: netns.path) == algorithm)
        for address in ["127.0.0.1", "::1"] {
            #expect(try netns.acceptedCongestionControl(address) == algorithm, "after lo down/up: \(address)")
        }
        #expect(netns.run("ip -6 route show table local").output.split(separator: "\n").filter { $0.hasPrefix("local ::1 ") }.count == 1)
    }

    /// An address of another link keeps its kernel route in IPv6 (addrconf owns it); IPv4's gets the metric.
    @Test(.enabled(if: bbrLoadable, "needs root and a kernel with tcp_bbr"))
    func onlyLoopbackIsRewrittenInIPv6() throws {
        let netns = try ScratchNetns(defaultCongestionControl: "bbr")
        let setUp = netns.run(
            "ip link add mp-test0 type veth peer name mp-test1 && ip link set mp-test1 up && ip link set mp-test0 up && ip addr add 10.197.0.5/24 dev mp-test0 && ip -6 addr add fd00:197::5/64 dev mp-test0 nodad"
        )
        try #require(setUp.status == 0, "\(setUp.output)")
        let algorithm = try #require(try LoopbackPacing.unpacePodLocalRoutes(netns: netns.path))
        let local4 = netns.run("ip -4 route show table local").output
        let local6 = netns.run("ip -6 route show table local").output
        #expect(local4.split(separator: "\n").first { $0.hasPrefix("local 10.197.0.5 ") }?.contains("congctl \(algorithm)") == true, "\(local4)")
        let own6 = local6.split(separator: "\n").filter { $0.hasPrefix("local fd00:197::5 ") }
        #expect(own6.count == 1 && !own6[0].contains("congctl"), "\(local6)")
        #expect(try netns.acceptedCongestionControl("fd00:197::5") == "bbr")
    }

    @Test(.enabled(if: getuid() == 0, "needs root"))
    func anUnpacedNamespaceIsLeftAlone() throws {
        let netns = try ScratchNetns(defaultCongestionControl: "reno")
        let before = netns.run("ip -4 route show table local; ip -6 route show table local").output
        #expect(try LoopbackPacing.unpacePodLocalRoutes(netns: netns.path) == nil)
        #expect(netns.run("ip -4 route show table local; ip -6 route show table local").output == before)
        #expect(!before.contains("congctl"))
        #expect(try netns.acceptedCongestionControl("::1") == "reno")
    }

    @Test func aMissingNamespaceIsAnErrorNamingIt() {
        #expect { try LoopbackPacing.unpacePodLocalRoutes(netns: "/nonexistent/netns") } throws: {
            "\($0)".contains("/nonexistent/netns")
        }
    }
}
