import ArgumentParser
import Foundation
import MinipodKube
import MinipodPod
import MinipodSystem

struct Attach: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attach",
        abstract: "Attach to the main process of a running container.",
        discussion: """
            Output streams here as the container writes it; with -i, input goes to
            the container (started with stdin: true); with -t and a container that
            has tty: true, this terminal is switched to raw mode.

            Examples:
              minipod attach sidecar-demo -c log-reader
              minipod attach -it shell-demo -c shell
            """)

    @Flag(name: [.customShort("i"), .long], help: "Pass stdin to the container.")
    var stdin = false

    @Flag(name: .shortAndLong, help: "Stdin is a TTY.")
    var tty = false

    @Option(name: .shortAndLong, help: "Container name.")
    var container: String?

    @Argument(help: "Pod name (or pod/NAME).")
    var pod: String

    @OptionGroup var global: GlobalOptions

    func run() {
        do {
            let name = try podName(pod)
            let key = PodPaths.key(namespace: global.ns, name: name)
            let attach = PodAttach(paths: global.paths)
            let podObject = try attach.store.loadPod(key)
            let chosen = try PodLogs.chooseContainer(podObject, requested: container, notice: printErr)
            try attach.run(pod: podObject, key: key, container: chosen, stdin: stdin, tty: tty, notice: printErr)
        } catch {
            fail(error)
        }
    }
}
