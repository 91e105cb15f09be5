import ArgumentParser
import Foundation
import MinipodKube
import MinipodPod
import MinipodSystem

/// Shared by run and apply: load, check every pod, then start them. With
/// `apply`, pods that already exist are patched as kubectl apply does; run
/// refuses them (AlreadyExists), as kubectl create.
func startPods(file: String, strict: Bool, global: GlobalOptions, wait: Bool, verb: String, network: String = "cni", apply: Bool = false) {
    do {
        let loaded = try ManifestLoader.load(path: file, strict: strict)
        for warning in loaded.warnings { printErr("Warning: \(warning)") }
        PodGarbageCollector(paths: global.paths, executable: selfExecutable()).collect()
        var service = PodService(paths: global.paths, executable: selfExecutable())
        service.report = printErr
        guard let mode = PodNetworkMode(rawValue: network) else {
            throw MinipodError(
                .invalidArgument,
                "--network must be cni (default), netlink or none, not \"\(network)\" (use hostNetwork: true in the manifest for the host's network)")
        }
        service.network = mode
        // Every pod is checked before any is created or changed: a bad document changes nothing.
        let changes = try loaded.pods.map { try service.prepare($0, namespace: global.namespace, orUpdate: apply) }
        var failed = false
        for change in changes {
            do {
                switch try service.commit(change, namespace: global.namespace) {
                case .updated(let result, let pod):
                    print("pod/\(pod.metadata.name) \(result == .unchanged ? "unchanged" : "configured")")
                case .created(let started, let pod):
                    if wait {
                        let running = try PodCreator(paths: global.paths, executable: service.executable).waitUntilRunning(started)
                        print("pod/\(pod.metadata.name) \((running.status?.phase ?? "running").lowercased())")
                    } else {
                        started.close()
                        print("pod/\(pod.metadata.name) \(verb)")
                    }
                }
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

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Create the pods of a manifest and wait until they run.",
        discussion: "Example: minipod run examples/sidecar-pod.yaml")

    @Argument(help: "Pod manifest (YAML or JSON; several documents allowed); - reads standard input.")
    var file: String

    @Flag(help: "Unknown fields are errors, as kubectl --validate=strict.")
    var strict = false

    @Option(
        help:
            "cni (the pod network through the CNI plugins), netlink (the same network set up by minipod itself, faster, no hostPort) or none (loopback only)."
    )
    var network = "cni"

    @OptionGroup var global: GlobalOptions

    func run() { startPods(file: file, strict: strict, global: global, wait: true, verb: "created", network: network) }
}

struct Apply: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Create the pods of a manifest (returns at once, as kubectl apply).",
        discussion: "Example: minipod apply -f examples/init-sidecar.yaml")

    @Option(name: .shortAndLong, help: "Pod manifest; - reads standard input.")
    var filename: String

    @Flag(help: "Unknown fields are errors, as kubectl --validate=strict.")
    var strict = false

    @Option(
        help:
            "cni (the pod network through the CNI plugins), netlink (the same network set up by minipod itself, faster, no hostPort) or none (loopback only)."
    )
    var network = "cni"

    @OptionGroup var global: GlobalOptions

    func run() { startPods(file: filename, strict: strict, global: global, wait: false, verb: "created", network: network, apply: true) }
}
