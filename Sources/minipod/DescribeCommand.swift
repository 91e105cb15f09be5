import ArgumentParser
import Foundation
import MinipodKube
import MinipodPod
import MinipodSystem

struct Describe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "describe",
        abstract: "Show a pod in detail: containers, state, mounts, volumes, conditions, events.",
        discussion: "Example: minipod describe pod init-sidecar-demo")

    @Argument(help: "pod (or pods), then names; or pod/NAME.")
    var arguments: [String]

    @OptionGroup var global: GlobalOptions

    func run() {
        do {
            var args = arguments
            if let first = args.first, ["pod", "pods", "po"].contains(first.lowercased()) { args.removeFirst() }
            let store = PodStore(paths: global.paths)
            let names = try args.isEmpty ? PodLister(paths: global.paths).pods(namespace: global.ns).map(\.metadata.name) : args.map(podName)
            for (i, name) in names.enumerated() {
                let key = PodPaths.key(namespace: global.ns, name: name)
                guard let pod = PodLister(paths: global.paths).pods(namespace: global.ns).first(where: { $0.metadata.name == name }) else {
                    throw MinipodError.podNotFound(name)
                }
                if i > 0 { print("\n") }
                print(
                    PodDescriber.render(
                        pod, events: PodEventLog.load(store.paths.eventsPath(key)), idRange: (try? store.loadRuntime(key))?.idRange), terminator: "")
            }
        } catch {
            fail(error)
        }
    }
}
