import ArgumentParser
import Foundation
import MinipodCgroups
import MinipodKube
import MinipodPod
import MinipodRuntime
import MinipodSystem

@main
struct Minipod: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "minipod",
        abstract: "Run Kubernetes Pod manifests on this Linux host, with kubectl's verbs.",
        discussion: """
            Examples:
              minipod run sidecar.yaml                       # start the pod, wait until Running
              minipod get pods -w                            # NAME READY STATUS RESTARTS AGE
              minipod logs sidecar-demo -c log-reader -f
              minipod exec -it sidecar-demo -c nginx -- /bin/sh
              minipod port-forward pod/sidecar-demo 8080:80
              minipod delete pod sidecar-demo
            """,
        subcommands: [
            Run.self, Apply.self, Get.self, Describe.self, Wait.self, Delete.self, Logs.self, Exec.self, Attach.self, Copy.self, PortForward.self,
            ImageCommand.self, Serve.self, OCICommand.self,
        ]
    )

    static func main() {
        Signals.resetInherited()
        // exec's one unavoidable kernel wait (see CgroupMigrationLock) starts now, before
        // argument parsing and state decoding, so those run while it passes.
        if CommandLine.arguments.dropFirst().first == "exec", case let layout = CgroupLayout.detect(), case .v2 = layout {
            CgroupMigrationLock.prime(layout: layout)
        }
        // Installed as `minipod-oci` (a symlink), minipod is a runc-compatible runtime for podman and containerd.
        if CommandLine.arguments.first.map({ ($0 as NSString).lastPathComponent }) == "minipod-oci" {
            OCICommand.main(Array(CommandLine.arguments.dropFirst()))
            Foundation.exit(0)  // main(_:) returns after a successful run
        }
        main(nil)
    }
}

/// Options every pod command shares: where state lives and which namespace.
struct GlobalOptions: ParsableArguments {
    @Option(name: [.short, .customLong("namespace")], help: "Namespace of the pods (default: default).")
    var namespace: String?

    @Option(help: .init("Data root (images, layers, volumes); or MINIPOD_ROOT.", visibility: .hidden))
    var root: String?

    @Option(help: .init("State root; or MINIPOD_STATE.", visibility: .hidden))
    var state: String?

    var paths: PodPaths { PodPaths(root: root, state: state) }
    var ns: String { namespace ?? "default" }
}

/// Prints errors the way kubectl does and exits non-zero.
func fail(_ error: Error) -> Never {
    FileHandle.standardError.write(Data((errorText(error) + "\n").utf8))
    Foundation.exit(1)
}

func errorText(_ error: Error) -> String {
    guard let e = error as? MinipodError else { return "error: \(error)" }
    switch e.reason {
    case .invalid: return e.message
    case .some(let reason): return "Error from server (\(reason.rawValue)): \(e.message)"
    case nil: return "error: \(e)"
    }
}

func printErr(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// The minipod binary itself, for the supervisor and minipod-init beside it.
func selfExecutable() -> String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
}

/// "pod/NAME", "pods/NAME" or "NAME" → NAME.
func podName(_ text: String) throws -> String {
    let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
    if parts.count == 2 {
        guard ["pod", "pods", "po"].contains(parts[0].lowercased()) else {
            throw MinipodError(.invalidArgument, "resource type \"\(parts[0])\" is not supported: minipod manages pods")
        }
        return parts[1]
    }
    return text
}
