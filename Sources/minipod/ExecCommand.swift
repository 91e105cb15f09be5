import ArgumentParser
import Foundation
import MinipodKube
import MinipodPod
import MinipodRuntime
import MinipodSystem

struct Exec: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "Run a command in a container.",
        discussion: """
            Examples:
              minipod exec -it sidecar-demo -c nginx -- /bin/sh
              minipod exec localhost-demo -c nginx -- curl -s localhost:8080
              minipod exec localhost-demo -c http-server -- hostname -i
            """)

    @Flag(name: [.customShort("i"), .long], help: "Pass stdin to the command.")
    var stdin = false

    @Flag(name: .shortAndLong, help: "Allocate a terminal.")
    var tty = false

    @Option(name: .shortAndLong, help: "Container name.")
    var container: String?

    @Argument(help: "Pod name (or pod/NAME).")
    var pod: String

    @Argument(parsing: .postTerminator, help: "The command, after --.")
    var command: [String] = []

    @OptionGroup var global: GlobalOptions

    func run() {
        do {
            guard !command.isEmpty else {
                throw MinipodError(.invalidArgument, "you must specify at least one command for the container")
            }
            let name = try podName(pod)
            let key = PodPaths.key(namespace: global.ns, name: name)
            let exec = PodExec(paths: global.paths)
            // With -c naming a container the pod runs, the small runtime.json is enough:
            // decoding the whole Pod object is most of exec's own CPU time.
            let chosen: String
            if let container, (try? exec.store.loadRuntime(key))?.containers[container] != nil {
                chosen = container
            } else {
                chosen = try PodLogs.chooseContainer(try exec.store.loadPod(key), requested: container, notice: printErr)
            }
            if tty && isatty(0) == 0 {
                printErr("Unable to use a TTY - input is not a terminal or the right kind of file")
            }
            let code = try exec.run(key: key, container: chosen, command: command, stdin: stdin, tty: tty && isatty(0) == 1)
            if code != 0 { printErr("command terminated with exit code \(code)") }
            Foundation.exit(code)
        } catch let e as ExecFailure {
            printErr("error: \(e.message)")
            printErr("command terminated with exit code \(e.exitCode)")
            Foundation.exit(e.exitCode)
        } catch {
            fail(error)
        }
    }
}
