import ArgumentParser
import Foundation
import MinipodKube
import MinipodPod
import MinipodSystem

struct Delete: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete pods: stop signal, grace period, then SIGKILL; removes everything the pod had.",
        discussion: """
            Examples:
              minipod delete pod sidecar-demo
              minipod delete pod sidecar-demo localhost-demo --grace-period=0
              minipod delete -f examples/sidecar-pod.yaml
              minipod delete pods --all
              minipod delete pods -l app=web
            """)

    @Argument(help: "pod or pods, then names (or pod/NAME).")
    var arguments: [String] = []

    @Option(name: .shortAndLong, help: "Delete the pods named in this manifest.")
    var filename: String?

    @Option(name: .customLong("grace-period"), help: "Seconds to wait after the stop signal (default: the pod's terminationGracePeriodSeconds).")
    var gracePeriod: Int?

    @Flag(help: "Same as --grace-period=1.")
    var now = false

    @Flag(help: "Do not wait: SIGKILL at once (--grace-period=0).")
    var force = false

    @Flag(help: "Every pod in the namespace.")
    var all = false

    @Option(name: [.customShort("l"), .customLong("selector")], help: "Delete the pods with these labels (k=v,k!=v,k,!k).")
    var selector: String?

    @Flag(name: .customLong("ignore-not-found"), help: "A missing pod is not an error.")
    var ignoreNotFound = false

    @OptionGroup var global: GlobalOptions

    func run() {
        do {
            PodGarbageCollector(paths: global.paths).collect()
            var names: [String] = []
            if let filename {
                names = try ManifestLoader.load(path: filename).pods.map(\.metadata.name)
            } else {
                var args = arguments
                if let first = args.first, ["pod", "pods", "po"].contains(first.lowercased()) { args.removeFirst() }
                names = try args.map(podName)
            }
            let inNamespace = all || selector != nil ? PodLister(paths: global.paths).pods(namespace: global.ns) : []
            if all { names = inNamespace.map(\.metadata.name) }
            if let selector {
                let labels = try LabelSelector(selector)
                let matching = Set(inNamespace.filter { labels.matches($0.metadata.labels) }.map(\.metadata.name))
                names = names.isEmpty ? matching.sorted() : names.filter(matching.contains)
                if names.isEmpty {
                    printErr("No resources found")
                    return
                }
            }
            if names.isEmpty && !all {
                throw MinipodError(.invalidArgument, "resource(s) were provided, but no name was specified")
            }
            let grace: Int? = force ? 0 : (now ? 1 : gracePeriod.map { max(0, $0) })
            if force {
                printErr(
                    "Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely."
                )
            }
            let deleter = PodDeleter(paths: global.paths)
            var failed = false
            var pending: [(String, PodDeleter.Pending)] = []
            for name in names {
                do {
                    pending.append((name, try deleter.request(key: PodPaths.key(namespace: global.ns, name: name), grace: grace)))
                } catch let e as MinipodError where e.code == .notFound && ignoreNotFound {
                    continue
                } catch {
                    printErr(errorText(error))
                    failed = true
                }
            }
            // All stop at once; each line appears when its pod is gone, as kubectl waits for each.
            for (name, deletion) in pending {
                do {
                    try deleter.finish(deletion)
                    print(force ? "pod \"\(name)\" force deleted" : "pod \"\(name)\" deleted")
                    fflush(stdout)
                } catch {
                    printErr(errorText(error))
                    failed = true
                }
            }
            if failed { Foundation.exit(1) }
        } catch {
            fail(error)
        }
    }
}
