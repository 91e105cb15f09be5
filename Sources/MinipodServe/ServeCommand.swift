import CMinipod
import Foundation
import MinipodAPI
import MinipodAPIModel
import MinipodPod
import MinipodSystem
import NIOCore

/// `minipod serve [--listen HOST:PORT] [--kubeconfig FILE]`, run by minipod-serve.
public enum ServeCommand {
    public static let usage = """
        Usage: minipod serve [--listen HOST:PORT] [--kubeconfig FILE]

        Serves the Kubernetes API for this host's pods over HTTPS (default 127.0.0.1:6443),
        so kubectl and other Kubernetes clients drive minipod. Credentials live in
        /etc/minipod/pki (made on first start). Without --kubeconfig, a "minipod" context is
        merged into $KUBECONFIG or ~/.kube/config and made current; with it, a kubeconfig
        of its own is written to FILE (mode 0600). Runs until SIGTERM or SIGINT; pods keep
        running when it stops.
        """

    public static func parse(_ arguments: [String]) throws -> APIServer.Options {
        var options = APIServer.Options()
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            let (flag, inline) =
                argument.contains("=") ? (String(argument.prefix { $0 != "=" }), String(argument.drop { $0 != "=" }.dropFirst())) : (argument, nil)
            func value() throws -> String {
                if let inline { return inline }
                guard let next = rest.popFirst() else { throw MinipodError(.invalidArgument, "\(flag) needs a value") }
                return next
            }
            switch flag {
            case "--listen":
                let text = try value()
                guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else {
                    throw MinipodError(.invalidArgument, "--listen takes HOST:PORT, e.g. 127.0.0.1:6443, not \"\(text)\"")
                }
                options.host = String(text[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
                options.port = port
            case "--kubeconfig":
                options.kubeconfig = try value()
            case "-h", "--help":
                print(usage)
                exit(0)
            default:
                throw MinipodError(.invalidArgument, "unknown argument \"\(argument)\"\n\n\(usage)")
            }
        }
        return options
    }

    public static func main(_ arguments: [String], minipodExecutable: String) -> Int32 {
        signal(SIGPIPE, SIG_IGN)
        // A handful of threads (event loop, pool, feed, log streams) need no arena each:
        // glibc's default of 8 per core keeps freed memory resident in each.
        _ = mp_malloc_arena_max(2)
        // Before anything else: a SIGTERM that comes while the server starts must stop it too.
        let running = ServerChannel()
        for sig in [SIGTERM, SIGINT] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { running.stop() }
            source.resume()
            signalSources.append(source)
        }
        do {
            let options = try parse(arguments)
            let host = HostFacts.read()
            let material = try PKI().ensure(hostNames: [host.name, host.address, options.host])
            let display = options.host.contains(":") ? "[\(options.host)]" : options.host
            let url = "https://\(display == "0.0.0.0" || display == "[::]" ? "127.0.0.1" : display):\(options.port)"
            let server = try APIServer(options: options, paths: PodPaths(), minipodExecutable: minipodExecutable, material: material, host: host)
            let channel = try server.run(bind: options.host, port: options.port)
            running.set(channel)
            let kubeconfig = options.kubeconfig ?? Kubeconfig.defaultPath()
            try Kubeconfig.write(to: kubeconfig, merge: options.kubeconfig == nil, server: url, caPEM: material.caPEM, token: material.token)
            print("minipod serve: serving the Kubernetes API on \(url)")
            print("minipod serve: kubeconfig \(kubeconfig) (context \"\(Kubeconfig.name)\"\(options.kubeconfig == nil ? ", now current" : ""))")
            fflush(stdout)
            try channel.closeFuture.wait()
            server.shutdown()
            return 0
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            return 1
        }
    }

    nonisolated(unsafe) static var signalSources: [DispatchSourceSignal] = []
}

/// The listening channel once there is one: a stop before it exists ends the process at once.
final class ServerChannel: @unchecked Sendable {
    private let lock = NSLock()
    private var channel: Channel?
    private var stopped = false

    func set(_ channel: Channel) {
        lock.lock()
        self.channel = channel
        let stop = stopped
        lock.unlock()
        if stop { channel.close(promise: nil) }
    }

    func stop() {
        lock.lock()
        stopped = true
        let channel = self.channel
        lock.unlock()
        if let channel { channel.close(promise: nil) } else { exit(0) }
    }
}
