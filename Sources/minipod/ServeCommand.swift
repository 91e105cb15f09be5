import ArgumentParser
import Foundation
import MinipodSystem

/// `minipod serve` execs minipod-serve beside this binary: the HTTP and TLS stack
/// lives in its own executable, so no CLI command pays for it at start-up.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the Kubernetes API for this host's pods, so kubectl drives minipod.",
        discussion: """
            HTTPS on 127.0.0.1:6443 unless --listen names another address. Credentials are made on
            first start under /etc/minipod/pki. A "minipod" context is merged into $KUBECONFIG or
            ~/.kube/config and made current (as `kind create cluster` does); --kubeconfig FILE writes
            a kubeconfig of its own there instead. Runs until SIGTERM or SIGINT; pods keep running.
            Example:
              minipod serve &
              kubectl apply -f examples/sidecar-pod.yaml
              kubectl get pods -w
            """)

    @Option(help: "Address and port to listen on (HOST:PORT).")
    var listen: String?

    @Option(help: "Write a kubeconfig of its own to this file instead of merging into ~/.kube/config.")
    var kubeconfig: String?

    func run() throws {
        let server = (selfExecutable() as NSString).deletingLastPathComponent + "/minipod-serve"
        guard FileManager.default.isExecutableFile(atPath: server) else {
            throw MinipodError(.notFound, "\(server) is missing: build it with `swift build -c release --product minipod-serve` (make build does)")
        }
        var arguments = ["minipod-serve"]
        if let listen { arguments += ["--listen", listen] }
        if let kubeconfig { arguments += ["--kubeconfig", kubeconfig] }
        let argv = arguments.map { strdup($0) } + [nil]
        execv(server, argv)
        throw MinipodError.sys("exec \(server)")
    }
}
