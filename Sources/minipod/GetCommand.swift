import ArgumentParser
import Foundation
import MinipodKube
import MinipodPod
import MinipodSystem

struct Get: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "List pods (NAME READY STATUS RESTARTS AGE).",
        discussion: """
            Examples:
              minipod get pods
              minipod get pods -w
              minipod get pods -l app=web --show-labels
              minipod get pod localhost-demo -o wide
              minipod get pod sidecar-demo -o yaml
              minipod get pod localhost-demo -o jsonpath='{.status.podIP}'
            """)

    @Argument(help: "pods, pod or po, optionally pod/NAME; then pod names.")
    var resource: String

    @Argument var names: [String] = []

    @Option(name: .shortAndLong, help: "wide, yaml, json, name or jsonpath=TEMPLATE.")
    var output: String?

    @Flag(name: .customLong("no-headers"), help: "Print the table without its header line.")
    var noHeaders = false

    @Flag(name: .shortAndLong, help: "After listing, watch for changes.")
    var watch = false

    @Flag(name: [.customShort("A"), .customLong("all-namespaces")], help: "Pods of every namespace.")
    var allNamespaces = false

    @Flag(name: .customLong("show-labels"), help: "Add a LABELS column.")
    var showLabels = false

    @Option(name: [.customShort("l"), .customLong("selector")], help: "Label selector, key=value[,key=value].")
    var selector: String?

    @OptionGroup var global: GlobalOptions

    func run() {
        do {
            var wanted = names
            let kind = resource.split(separator: "/", maxSplits: 1)
            guard ["pods", "pod", "po"].contains(kind[0].lowercased()) else {
                throw MinipodError(.invalidArgument, "the server doesn't have a resource type \"\(kind[0])\" (minipod manages pods)")
            }
            if kind.count == 2 { wanted.insert(String(kind[1]), at: 0) }
            PodGarbageCollector(paths: global.paths, executable: selfExecutable()).collect()
            let lister = PodLister(paths: global.paths)
            let (pods, missing) = try select(lister.pods(namespace: allNamespaces ? nil : global.ns), wanted: wanted)
            let wide = output == "wide"
            if let output, !wide {
                // Nothing on stdout when every name is missing (an empty List would read as an answer).
                if !(pods.isEmpty && !missing.isEmpty) { try printStructured(pods, output: output, single: wanted.count == 1) }
            } else if pods.isEmpty && missing.isEmpty {
                if !watch { printErr(allNamespaces ? "No resources found" : "No resources found in \(global.ns) namespace.") }
            } else if !pods.isEmpty {
                print(PodPrinter.table(pods: pods, wide: wide, showLabels: showLabels, includeHeader: !noHeaders), terminator: "")
            }
            // As kubectl: the pods found are printed, then a NotFound line for each missing name, and the exit code is 1.
            reportMissing(missing)
            guard watch, output == nil || wide else { return }
            try watchChanges(lister: lister, initial: pods, wanted: wanted, wide: wide)
        } catch {
            fail(error)
        }
    }

    /// Prints a row for every change of a listed pod (from its history, so no
    /// transition is missed), and for pods that appear; runs until interrupted.
    private func watchChanges(lister: PodLister, initial: [Pod], wanted: [String], wide: Bool) throws {
        let store = lister.store
        var last: [String: String] = [:]
        var offsets: [String: Int] = [:]
        for pod in initial {
            let key = PodPaths.key(namespace: pod.metadata.namespace, name: pod.metadata.name)
            last[key] = rowKey(pod)
            offsets[key] = store.history(key, from: 0).offset
        }
        var header = initial.isEmpty && !noHeaders
        while true {
            for key in store.keys() {
                let (versions, offset) = store.history(key, from: offsets[key] ?? 0)
                offsets[key] = offset
                for pod in try select(versions, wanted: [], allowMissing: true).pods {
                    if !wanted.isEmpty && !wanted.contains(pod.metadata.name) { continue }
                    if !allNamespaces && (pod.metadata.namespace ?? "default") != global.ns { continue }
                    if last[key] == rowKey(pod) { continue }
                    last[key] = rowKey(pod)
                    print(PodPrinter.table(pods: [pod], wide: wide, showLabels: showLabels, includeHeader: header), terminator: "")
                    header = false
                    fflush(stdout)
                }
            }
            usleep(50_000)
        }
    }

    /// What a watcher prints a new row for: everything but AGE.
    private func rowKey(_ pod: Pod) -> String {
        "\(PodPrinter.readyString(for: pod)) \(PodPrinter.statusString(for: pod)) \(PodPrinter.restartsString(for: pod))"
    }

    /// The pods to print (those named, in that order, or all) and the names no pod has.
    private func select(_ pods: [Pod], wanted: [String], allowMissing: Bool = false) throws -> (pods: [Pod], missing: [String]) {
        var result = pods
        var missing: [String] = []
        if !wanted.isEmpty && !allowMissing {
            let named = NamedPods(pods, names: wanted)
            result = named.found
            missing = named.missing
        }
        if let selector {
            let labels = try LabelSelector(selector)
            result = result.filter { labels.matches($0.metadata.labels) }
        }
        return (result, missing)
    }

    private func reportMissing(_ missing: [String]) {
        guard !missing.isEmpty else { return }
        fflush(stdout)
        for name in missing { printErr(NamedPods.notFound(name)) }
        Foundation.exit(1)
    }

    private func printStructured(_ pods: [Pod], output: String, single: Bool) throws {
        switch output {
        case "name":
            pods.forEach { print("pod/\($0.metadata.name)") }
        case "yaml", "json":
            if single, let pod = pods.first {
                print(output == "yaml" ? try PodPrinter.encodeYAML(pod) : try PodPrinter.encodeJSON(pod), terminator: output == "yaml" ? "" : "\n")
            } else {
                let list = PodList(items: pods)
                print(output == "yaml" ? try PodPrinter.encodeYAML(list) : try PodPrinter.encodeJSON(list), terminator: output == "yaml" ? "" : "\n")
            }
        case _ where output.hasPrefix("jsonpath="):
            let template = try JSONPathTemplate(String(output.dropFirst("jsonpath=".count)))
            if single, let pod = pods.first {
                print(try template.render(pod), terminator: "")
            } else {
                print(try template.render(PodList(items: pods)), terminator: "")
            }
        default:
            throw MinipodError(
                .invalidArgument,
                "unable to match a printer suitable for the output format \"\(output)\", allowed formats are: json,jsonpath,name,wide,yaml")
        }
    }
}

struct PodList: Encodable {
    var apiVersion = "v1"
    var kind = "List"
    var items: [Pod]
    var metadata: [String: String] = ["resourceVersion": ""]
}
