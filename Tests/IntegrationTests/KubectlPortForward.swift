import Foundation

/// A `kubectl port-forward` left running, and the local ports it printed.
final class KubectlPortForward {
    let process: Process
    let output: String
    private(set) var localPorts: [Int: Int] = [:]

    /// Starts it and waits for one "Forwarding from 127.0.0.1:L -> R" line per remote port.
    init(_ api: KubeAPI, _ args: [String], version: String? = nil, name: String = UUID().uuidString) throws {
        output = api.host.base + "/port-forward-\(name).out"
        process = try api.startKubectl(["port-forward"] + args, output: output, version: version)
        let remotes = args.compactMap { $0.split(separator: ":", omittingEmptySubsequences: false).last.flatMap { Int($0) } }
        _ = api.host.eventually(20) { [self] in
            for line in text.split(separator: "\n") where line.hasPrefix("Forwarding from 127.0.0.1:") {
                let parts = line.dropFirst("Forwarding from 127.0.0.1:".count).split(separator: " ")
                if let local = Int(parts[0]), let remote = Int(parts.last ?? "") { localPorts[remote] = local }
            }
            return remotes.allSatisfy { localPorts[$0] != nil }
        }
    }

    var text: String { (try? String(contentsOfFile: output, encoding: .utf8)) ?? "" }

    func url(_ remote: Int) -> String { "http://127.0.0.1:\(localPorts[remote] ?? 0)/" }

    /// The page at the forwarded port, as curl gets it (empty when the request fails).
    func get(_ remote: Int, path: String = "") -> String { shell("curl -s --max-time 20 \(url(remote))\(path)") }

    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

extension KubeAPI {
    /// Applies an example and waits until its pod is Ready.
    func applyReady(_ example: String, pod: String) -> Bool {
        kubectl(["apply", "-f", host.example(example)]).status == 0
            && kubectl(["wait", "--for=condition=Ready", "pod/\(pod)", "--timeout=60s"]).status == 0
    }

    /// The server's threads, from /proc (copy threads end; idle dispatch workers go within ~20 s).
    var serverThreads: Int {
        guard let pid = server?.processIdentifier else { return -1 }
        return ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []).count
    }

    /// The server's open file descriptors, from /proc.
    var serverFDs: Int {
        guard let pid = server?.processIdentifier else { return -1 }
        return ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []).count
    }
}
