import CMinipod
import Foundation
import MinipodSystem

/// `minipod port-forward`: listens on the host and, per connection, connects
/// from inside the pod's network namespace to localhost:<port> (so it reaches
/// servers bound to the pod's loopback too, as kubectl's does).
public final class PortForwarder: @unchecked Sendable {
    public struct PortPair: Sendable, Equatable {
        public var local: Int  // 0: pick a free port
        public var remote: Int
        public init(local: Int, remote: Int) {
            self.local = local
            self.remote = remote
        }

        /// "8080:80", "80" (same port), ":80" (any free local port).
        public init(parsing text: String) throws {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            func port(_ s: String, allowZero: Bool) throws -> Int {
                guard let p = Int(s), p >= (allowZero ? 0 : 1), p <= 65535 else {
                    throw MinipodError(.invalidArgument, "invalid port \"\(s)\" in \"\(text)\": ports are 1-65535")
                }
                return p
            }
            switch parts.count {
            case 1:
                local = try port(parts[0], allowZero: false)
                remote = local
            case 2:
                local = parts[0].isEmpty ? 0 : try port(parts[0], allowZero: false)
                remote = try port(parts[1], allowZero: false)
            default: throw MinipodError(.invalidArgument, "invalid port mapping \"\(text)\": use LOCAL:REMOTE")
            }
        }
    }

    let netns: String
    let addresses: [String]
    let pairs: [PortPair]
    let log: @Sendable (String) -> Void
    private var listeners: [Int32] = []

    public init(netns: String, addresses: [String] = ["127.0.0.1"], pairs: [PortPair], log: @escaping @Sendable (String) -> Void) {
        self.netns = netns
        self.addresses = addresses
        self.pairs = pairs
        self.log = log
    }

    /// Binds every listener (all or nothing), prints "Forwarding from ..." lines, then serves on threads.
    public func start() throws {
        for pair in pairs {
            for address in addresses {
                let fd = try listen(address: address, port: pair.local)
                listeners.append(fd)
                let bound = boundPort(fd)
                log("Forwarding from \(address.contains(":") ? "[\(address)]" : address):\(bound) -> \(pair.remote)")
                let remote = pair.remote
                let t = Thread { [self] in acceptLoop(fd, localPort: bound, remote: remote) }
                t.start()
            }
        }
    }

    public func stop() {
        for fd in listeners {
            shutdown(fd, Int32(SHUT_RDWR))
            close(fd)
        }
        listeners = []
    }

    private func listen(address: String, port: Int) throws -> Int32 {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, address, &addr.sin_addr) == 1 else {
            throw MinipodError(.invalidArgument, "--address \(address): not an IPv4 address")
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        if fd < 0 { throw MinipodError.sys("socket") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if rc != 0 {
            let e = errno
            close(fd)
            throw MinipodError(.network, "unable to listen on \(address):\(port)", errno: e)
        }
        if Glibc.listen(fd, 128) != 0 {
            close(fd)
            throw MinipodError.sys("listen")
        }
        return fd
    }

    private func boundPort(_ fd: Int32) -> Int {
        var addr = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    private func acceptLoop(_ listener: Int32, localPort: Int, remote: Int) {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                return
            }
            log("Handling connection for \(localPort)")
            Self.avoidPacingOnLoopback(client)
            let t = Thread { [self] in serve(client, remote: remote) }
            t.start()
        }
    }

    private func serve(_ client: Int32, remote: Int) {
        let upstream: Int32
        do { upstream = try Self.connectInPod(netns: netns, port: remote) } catch {
            log("E\(Self.klogTime()) portforward: an error occurred forwarding \(remote): \(error)")
            close(client)
            return
        }
        // Both fds close only after both directions end: closing one earlier would let
        // a new connection reuse its number while the other direction still writes to it.
        let backDone = DispatchSemaphore(value: 0)
        let back = Thread {
            Self.copy(from: upstream, to: client)
            backDone.signal()
        }
        back.start()
        Self.copy(from: client, to: upstream)
        backDone.wait()
        close(client)
        close(upstream)
    }

    /// This thread enters the pod's netns just to create and connect the socket;
    /// the socket stays in that netns whatever the thread does next. Also the API's
    /// port-forward (MinipodServe), per stream pair kubectl opens.
    public static func connectInPod(netns: String, port: Int) throws -> Int32 {
        let original = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)
        defer {
            if original >= 0 {
                try? Sys.setns(fd: original, .net, what: "host")
                close(original)
            }
        }
        try Sys.setns(path: netns, .net)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        if fd < 0 { throw MinipodError.sys("socket in pod") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = in_addr_t(0x7f00_0001).bigEndian
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if rc != 0 {
            let e = errno
            close(fd)
            throw MinipodError(.network, "failed to connect to localhost:\(port) inside the pod", errno: e)
        }
        avoidPacingOnLoopback(fd)
        return fd
    }

    /// The forwarder's loopback hops send unpaced (LoopbackPacing); a client on
    /// another host keeps the host's choice (1.18 → 1.38 GiB/s through port-forward
    /// on a bbr host, before the pod's own loopback was unpaced too).
    static func avoidPacingOnLoopback(_ fd: Int32) {
        guard peerIsLoopback(fd) else { return }
        LoopbackPacing.unpace(fd)
    }

    static func peerIsLoopback(_ fd: Int32) -> Bool {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) } }
        guard rc == 0 else { return false }
        switch Int32(storage.ss_family) {
        case AF_INET:
            let address = withUnsafeBytes(of: &storage) { $0.load(fromByteOffset: 4, as: UInt32.self) }
            return UInt32(bigEndian: address) >> 24 == 127
        case AF_INET6:
            let bytes = withUnsafeBytes(of: &storage) { Array($0[8..<24]) }
            let loopback6 = bytes == [UInt8](repeating: 0, count: 15) + [1]
            let mapped127 = bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xff && bytes[11] == 0xff && bytes[12] == 127
            return loopback6 || mapped127
        default:
            return false
        }
    }

    /// Copies until EOF with splice(2) through a pipe (the bytes never enter user
    /// space), then half-closes the other side so the peer sees the end.
    static func copy(from: Int32, to: Int32) {
        defer {
            shutdown(to, Int32(SHUT_WR))
            shutdown(from, Int32(SHUT_RD))
        }
        guard let pipe = try? FDPipe.make() else { return }
        defer {
            close(pipe.read)
            close(pipe.write)
        }
        // A 1 MiB pipe (the default pipe-max-size) moves more per splice than the
        // default 64 KiB: fewer wakeups per GiB. Pages are taken only as data fills it.
        let chunk = max(1 << 16, Int(mp_set_pipe_size(pipe.write, 1 << 20)))
        while true {
            let n = mp_splice(from, pipe.write, chunk)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            var left = n
            while left > 0 {
                let m = mp_splice(pipe.read, to, left)
                if m < 0 && errno == EINTR { continue }
                if m <= 0 { return }
                left -= m
            }
        }
    }

    static func klogTime() -> String {
        let f = DateFormatter()
        f.dateFormat = "MMdd HH:mm:ss.SSSSSS"
        return f.string(from: Date())
    }
}
