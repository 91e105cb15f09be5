import Foundation
import Testing

/// `minipod serve` on a private port, credentials and kubeconfig of this test host,
/// and the real kubectl pointed at it (its own HOME, so its discovery cache and
/// ~/.kube/config are never the user's).
final class KubeAPI {
    let host: TestHost
    let port: Int
    let kubeconfig: String
    let home: String
    private(set) var server: Process?

    init(host: TestHost) {
        self.host = host
        port = 20_000 + Int(getpid() % 20_000)
        kubeconfig = host.base + "/kubeconfig"
        home = host.base + "/kubectl-home"
    }

    var serverEnvironment: [String: String] {
        var env = host.environment
        env["MINIPOD_PKI"] = host.base + "/pki"
        env["HOME"] = home
        return env
    }

    /// Starts the server and waits until /readyz answers.
    func start() throws {
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: host.binary)
        process.arguments = ["serve", "--listen", "127.0.0.1:\(port)", "--kubeconfig", kubeconfig]
        process.environment = serverEnvironment
        let log = host.base + "/serve.log"
        FileManager.default.createFile(atPath: log, contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: log)
        process.standardError = FileHandle(forWritingAtPath: log)
        try process.run()
        server = process
        let ready = host.eventually(15) { readyz() == "ok" && FileManager.default.fileExists(atPath: kubeconfig) }
        guard ready else { throw IntegrationSetupError(message: "minipod serve did not start: \(shell("cat \(log)"))") }
    }

    func readyz() -> String { shell("curl -sk --max-time 2 https://127.0.0.1:\(port)/readyz") }

    func stop() {
        guard let server, server.isRunning else { return }
        server.terminate()
        server.waitUntilExit()
    }

    func kill() {
        guard let server else { return }
        Glibc.kill(server.processIdentifier, SIGKILL)
        server.waitUntilExit()
    }

    var kubectlEnvironment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["KUBECONFIG"] = kubeconfig
        env["HOME"] = home
        env.removeValue(forKey: "MINIPOD_BIN")
        return env
    }

    /// The real kubectl (`version` picks kubectl.1.NN beside the dispatcher).
    @discardableResult
    func kubectl(_ args: [String], version: String? = nil, stdin: String? = nil, timeout: TimeInterval = 120) -> TestHost.Result {
        let binary = version.map { "/usr/lib/google-cloud-sdk/bin/kubectl.\($0)" } ?? "/usr/bin/kubectl"
        return host.runProgram(binary, args, environment: kubectlEnvironment, stdin: stdin, timeout: timeout)
    }

    /// A kubectl left running (get -w, port-forward), its output collected in a file.
    func startKubectl(_ args: [String], output: String, version: String? = nil) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: version.map { "/usr/lib/google-cloud-sdk/bin/kubectl.\($0)" } ?? "/usr/bin/kubectl")
        process.arguments = args
        process.environment = kubectlEnvironment
        FileManager.default.createFile(atPath: output, contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: output)
        process.standardError = FileHandle(forWritingAtPath: output)
        try process.run()
        return process
    }

    /// The bearer token the kubeconfig carries.
    var token: String { shell("cat \(host.base)/pki/admin.token").trimmingCharacters(in: .whitespacesAndNewlines) }

    static var versions: [String] {
        (27...33).map { "1.\($0)" }.filter { FileManager.default.isExecutableFile(atPath: "/usr/lib/google-cloud-sdk/bin/kubectl.\($0)") }
    }
}
