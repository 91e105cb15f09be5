import ArgumentParser
import Foundation
import MinipodKube
import MinipodNet
import MinipodPod
import MinipodSystem

struct PortForward: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "port-forward",
        abstract: "Forward local ports to a pod.",
        discussion: """
            Examples:
              minipod port-forward pod/sidecar-demo 8080:80
              minipod port-forward content-sync :80          # any free local port
            """)

    @Argument(help: "pod/NAME or NAME.")
    var pod: String

    @Argument(help: "[LOCAL:]REMOTE port pairs.")
    var ports: [String]

    @Option(help: "Local addresses to listen on, comma separated.")
    var address = "127.0.0.1"

    @OptionGroup var global: GlobalOptions

    func run() {
        do {
            let name = try podName(pod)
            let key = PodPaths.key(namespace: global.ns, name: name)
            let store = PodStore(paths: global.paths)
            let podObject = try store.loadPod(key)
            guard podObject.status?.phase == "Running", let runtime = try? store.loadRuntime(key) else {
                throw MinipodError(
                    .invalidArgument, "unable to forward port because pod is not running. Current status=\(podObject.status?.phase ?? "Unknown")")
            }
            let netns = runtime.hostNetwork ? "/proc/self/ns/net" : global.paths.netnsPath(key)
            let pairs = try ports.map(PortForwarder.PortPair.init(parsing:))
            let forwarder = PortForwarder(netns: netns, addresses: address.split(separator: ",").map(String.init), pairs: pairs) { line in
                FileHandle.standardOutput.write(Data((line + "\n").utf8))
            }
            try forwarder.start()
            // Runs until Ctrl-C or until the pod is gone.
            while store.exists(key) { usleep(200_000) }
            forwarder.stop()
            printErr("error: lost connection to pod")
            Foundation.exit(1)
        } catch {
            fail(error)
        }
    }
}
