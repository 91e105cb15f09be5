import CMinipod
import Foundation
import MinipodSystem

/// The live streams of one running container, for `minipod attach` clients
/// (what conmon's attach socket is for podman): output fans out to every
/// client, input from clients goes to the container's stdin or pty.
final class AttachHub: @unchecked Sendable {
    let tty: Bool
    private let stdinOnce: Bool
    /// Guards clients and openStreams (taken by the output pumps).
    private let lock = NSLock()
    private var clients: [Int32] = []
    private var openStreams: Int
    /// Guards input. Apart from `lock`: a write to a container that does not read its stdin
    /// blocks, and must not hold up the container's output on its way to the log.
    private let inputLock = NSLock()
    /// Write end of the container's stdin pipe, or its pty master; -1 without stdin.
    private var input: Int32

    /// input: taken over (closed by the hub). streams: output pumps that report their end.
    init(tty: Bool, input: Int32, stdinOnce: Bool, streams: Int) {
        self.tty = tty
        self.input = input
        self.stdinOnce = stdinOnce
        self.openStreams = streams
    }

    var acceptsInput: Bool {
        inputLock.lock()
        defer { inputLock.unlock() }
        return input >= 0
    }

    func add(_ client: Int32) {
        // A client that stops reading must not stall the container's log: it is dropped after 2 s.
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        lock.lock()
        clients.append(client)
        lock.unlock()
    }

    /// The client's reader thread owns (and closes) the fd; here it only leaves the list.
    func remove(_ client: Int32) {
        lock.lock()
        clients.removeAll { $0 == client }
        lock.unlock()
    }

    func broadcast(_ kind: AttachProtocol.Kind, _ bytes: UnsafeRawBufferPointer) {
        lock.lock()
        defer { lock.unlock() }
        guard !clients.isEmpty else { return }
        let frame = AttachProtocol.frame(kind, bytes)
        clients.removeAll { client in
            let sent = frame.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent == frame.count { return false }
            shutdown(client, Int32(SHUT_RDWR))
            return true
        }
    }

    func deliver(_ bytes: [UInt8]) {
        inputLock.lock()
        defer { inputLock.unlock() }
        if input >= 0 { bytes.withUnsafeBytes { _ = FileIO.writeAll(input, $0) } }
    }

    /// A client's input ended: with stdinOnce the container's stdin closes (Kubernetes' meaning).
    func inputEnded() {
        inputLock.lock()
        defer { inputLock.unlock() }
        // A pty has no EOF of its own: the terminal's Ctrl-D is the client's business.
        if stdinOnce && !tty && input >= 0 {
            Glibc.close(input)
            input = -1
        }
    }

    func resize(rows: UInt16, cols: UInt16) {
        inputLock.lock()
        defer { inputLock.unlock() }
        if tty && input >= 0 { _ = mp_set_winsize(input, rows, cols) }
    }

    /// One output stream reached its end; after the last, clients see the end of the session.
    func streamEnded() {
        lock.lock()
        openStreams -= 1
        let done = openStreams <= 0
        lock.unlock()
        if done { close() }
    }

    func close() {
        lock.lock()
        for client in clients { shutdown(client, Int32(SHUT_RDWR)) }
        clients.removeAll()
        lock.unlock()
        inputLock.lock()
        defer { inputLock.unlock() }
        if input >= 0 {
            Glibc.close(input)
            input = -1
        }
    }
}

/// The hubs of a pod's running containers, shared by the supervisor's loop and its attach threads.
final class AttachRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var hubs: [String: AttachHub] = [:]

    subscript(container: String) -> AttachHub? {
        get {
            lock.lock()
            defer { lock.unlock() }
            return hubs[container]
        }
        set {
            lock.lock()
            hubs[container] = newValue
            lock.unlock()
        }
    }
}
