import Foundation
import MinipodSystem

/// The supervisor's unix socket: `minipod attach` connects here to reach a
/// container's stdio, which only the supervisor holds.
extension Supervisor {
    func listenForClients() throws {
        listener = try UnixSocket.listen(at: paths.supervisorSocket(key))
        _ = fcntl(listener, F_SETFL, O_NONBLOCK)
    }

    /// Called when the listening socket is readable: each client gets a thread, so the loop never waits on one.
    func acceptClients() {
        while true {
            // accept4 is not exported to Swift; children are spawned with every other fd closed anyway.
            let client = accept(listener, nil, nil)
            if client < 0 { return }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            let registry = attachRegistry
            let thread = Thread { Supervisor.serve(client, registry: registry) }
            thread.stackSize = 256 * 1024
            thread.start()
        }
    }

    private static func serve(_ client: Int32, registry: AttachRegistry) {
        defer { close(client) }
        guard let request = AttachProtocol.readLine(AttachProtocol.Request.self, from: client) else { return }
        guard let hub = registry[request.container] else {
            _ = AttachProtocol.writeLine(
                AttachProtocol.Response(error: "container \(request.container) is not running", tty: false, stdin: false), to: client)
            return
        }
        let withInput = request.stdin && hub.acceptsInput
        guard AttachProtocol.writeLine(AttachProtocol.Response(error: nil, tty: hub.tty, stdin: withInput), to: client) else { return }
        hub.add(client)
        defer { hub.remove(client) }
        var inputOpen = withInput
        while let (kind, payload) = AttachProtocol.readFrame(client) {
            switch kind {
            case .stdin where inputOpen: hub.deliver(payload)
            case .stdinEOF where inputOpen:
                inputOpen = false
                hub.inputEnded()
            case .resize where payload.count == 4:
                hub.resize(rows: UInt16(payload[0]) << 8 | UInt16(payload[1]), cols: UInt16(payload[2]) << 8 | UInt16(payload[3]))
            default: break
            }
        }
        if inputOpen { hub.inputEnded() }
    }
}
