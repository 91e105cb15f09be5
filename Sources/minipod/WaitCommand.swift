import ArgumentParser
import Foundation
import MinipodKube
import MinipodPod
import MinipodSystem

struct Wait: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait",
        abstract: "Wait until pods meet a condition.",
        discussion: """
            Examples:
              minipod wait --for=condition=Ready pod/sidecar-demo --timeout=60s
              minipod wait --for=delete pod/sidecar-demo
            """)

    @Option(name: .customLong("for"), help: "condition=NAME[=value] (Ready, Initialized, ContainersReady, PodScheduled) or delete.")
    var condition: String

    @Argument(help: "pod/NAME ...")
    var pods: [String]

    @Option(help: "How long to wait (30s, 2m).")
    var timeout = "30s"

    @OptionGroup var global: GlobalOptions

    func run() {
        do {
            let limit = try parseDuration(timeout)
            let store = PodStore(paths: global.paths)
            for arg in pods {
                let name = try podName(arg)
                let key = PodPaths.key(namespace: global.ns, name: name)
                let deadline = Date().addingTimeInterval(limit)
                if condition == "delete" {
                    while store.exists(key) && Date() < deadline { usleep(50_000) }
                    if store.exists(key) { throw MinipodError(.runtime, "timed out waiting for the condition on pods/\(name)") }
                    print("pod/\(name) condition met")
                    continue
                }
                guard condition.hasPrefix("condition=") else {
                    throw MinipodError(.invalidArgument, "--for must be condition=NAME or delete, not \"\(condition)\"")
                }
                let parts = condition.dropFirst("condition=".count).split(separator: "=", maxSplits: 1).map(String.init)
                let want = parts.count > 1 ? parts[1].lowercased() : "true"
                guard store.exists(key) else { throw MinipodError.podNotFound(name) }
                while Date() < deadline {
                    let pod = try store.loadPod(key)
                    if pod.status?.conditions?.first(where: { $0.type.lowercased() == parts[0].lowercased() })?.status.lowercased() == want {
                        break
                    }
                    usleep(50_000)
                }
                let pod = try store.loadPod(key)
                guard pod.status?.conditions?.first(where: { $0.type.lowercased() == parts[0].lowercased() })?.status.lowercased() == want else {
                    throw MinipodError(.runtime, "timed out waiting for the condition on pods/\(name)")
                }
                print("pod/\(name) condition met")
            }
        } catch {
            fail(error)
        }
    }
}
