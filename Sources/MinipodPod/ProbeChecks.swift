import Foundation
import MinipodKube
import MinipodSystem

/// The three probe handlers as kubelet runs them: exec (exit 0), httpGet
/// (status 200–399), tcpSocket (connection accepted), each within timeoutSeconds.
enum ProbeChecks {
    /// Resolves a probe port: a number, or the name of one of the container's ports.
    static func port(_ value: IntOrString, in container: Container) -> Int? {
        switch value {
        case .int(let n): return n
        case .string(let name):
            if let n = Int(name) { return n }
            return container.ports?.first { $0.name == name }?.containerPort
        }
    }

    static func tcp(host: String, port: Int, timeout: TimeInterval) -> Bool {
        guard let fd = connect(host: host, port: port, timeout: timeout) else { return false }
        close(fd)
        return true
    }

    static func http(host: String, port: Int, path: String, headers: [HTTPHeader], timeout: TimeInterval) -> Bool {
        guard let fd = connect(host: host, port: port, timeout: timeout) else { return false }
        defer { close(fd) }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var request = "GET \(path.isEmpty ? "/" : path) HTTP/1.1\r\nHost: \(host):\(port)\r\nUser-Agent: kube-probe/1.29\r\nAccept: */*\r\n"
        for header in headers { request += "\(header.name): \(header.value)\r\n" }
        request += "Connection: close\r\n\r\n"
        guard Array(request.utf8).withUnsafeBytes({ FileIO.writeAll(fd, $0) }) else { return false }
        var buf = [UInt8](repeating: 0, count: 512)
        let n = read(fd, &buf, buf.count)
        guard n > 12 else { return false }
        let statusLine = String(decoding: buf[0..<n], as: UTF8.self).split(separator: " ", maxSplits: 2)
        guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/"), let code = Int(statusLine[1]) else { return false }
        return (200..<400).contains(code)
    }

    /// Non-blocking connect bounded by the probe's timeout.
    static func connect(host: String, port: Int, timeout: TimeInterval) -> Int32? {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
        guard inet_pton(AF_INET, host, &addr.sin_addr) == 1 else { return nil }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { return nil }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if rc != 0 && errno != EINPROGRESS {
            close(fd)
            return nil
        }
        var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        guard poll(&pfd, 1, Int32(timeout * 1000)) == 1 else {
            close(fd)
            return nil
        }
        var error: Int32 = 0
        var len = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len)
        if error != 0 {
            close(fd)
            return nil
        }
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK)
        return fd
    }
}

/// Where one probe of one container stands: thresholds count consecutive results.
struct ProbeState {
    enum Kind: String { case startup, liveness, readiness }
    let kind: Kind
    let probe: Probe
    var nextRun: Date
    var successes = 0
    var failures = 0

    init(kind: Kind, probe: Probe, started: Date) {
        self.kind = kind
        self.probe = probe
        self.nextRun = started.addingTimeInterval(TimeInterval(probe.initialDelaySeconds ?? 0))
    }

    var period: TimeInterval { TimeInterval(max(1, probe.periodSeconds ?? 10)) }
    var timeout: TimeInterval { TimeInterval(max(1, probe.timeoutSeconds ?? 1)) }

    /// Records a result; returns the new verdict once a threshold is crossed (nil: no change yet).
    mutating func record(_ ok: Bool, now: Date = Date()) -> Bool? {
        nextRun = now.addingTimeInterval(period)
        if ok {
            successes += 1
            failures = 0
            return successes >= max(1, probe.successThreshold ?? 1) ? true : nil
        }
        failures += 1
        successes = 0
        return failures >= max(1, probe.failureThreshold ?? 3) ? false : nil
    }
}
