import ArgumentParser
import Foundation
import MinipodKube
import MinipodPod
import MinipodSystem

struct Logs: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Print a container's logs.",
        discussion: """
            Examples:
              minipod logs sidecar-demo -c log-reader
              minipod logs -f content-sync -c content-updater
              minipod logs init-sidecar-demo -c init-content
            """)

    @Argument(help: "Pod name (or pod/NAME).")
    var pod: String

    @Option(name: .shortAndLong, help: "Container name.")
    var container: String?

    @Flag(name: .shortAndLong, help: "Keep printing new lines.")
    var follow = false

    @Flag(name: .shortAndLong, help: "The previous run of the container.")
    var previous = false

    @Flag(help: "Prefix each line with its RFC3339 timestamp.")
    var timestamps = false

    @Option(help: "Only the last N lines.")
    var tail: Int = -1

    @Option(help: "Only lines newer than this duration (5s, 2m, 3h).")
    var since: String?

    @Flag(name: .customLong("all-containers"), help: "Logs of every container of the pod, init containers first.")
    var allContainers = false

    @Flag(help: "Prefix each line with [pod/NAME/CONTAINER].")
    var prefix = false

    @OptionGroup var global: GlobalOptions

    func run() {
        do {
            let name = try podName(pod)
            let key = PodPaths.key(namespace: global.ns, name: name)
            let logs = PodLogs(paths: global.paths)
            let podObject = try logs.store.loadPod(key)
            let chosen = allContainers ? nil : try PodLogs.chooseContainer(podObject, requested: container, notice: printErr)
            var options = PodLogs.Options()
            options.follow = follow
            options.previous = previous
            options.timestamps = timestamps
            options.tail = tail >= 0 ? tail : nil
            if let since { options.since = try parseDuration(since) }
            let containers = chosen.map { [$0] } ?? podObject.spec.allContainers.map(\.name)
            for name in containers {
                let tag = prefix ? "[pod/\(podObject.metadata.name)/\(name)] " : ""
                do {
                    try logs.stream(key: key, container: name, options: options) { line in
                        FileHandle.standardOutput.write(Data((tag + line).utf8))
                    }
                } catch let e as MinipodError where allContainers && e.code == .invalidArgument {
                    continue  // a container that has not started yet has no log: kubectl skips it too
                }
            }
        } catch {
            fail(error)
        }
    }
}

/// Go-style durations as kubectl takes them: 10s, 5m, 1h30m.
func parseDuration(_ text: String) throws -> TimeInterval {
    var total: TimeInterval = 0
    var number = ""
    for ch in text {
        if ch.isNumber || ch == "." {
            number.append(ch)
            continue
        }
        guard let value = Double(number) else { throw MinipodError(.invalidArgument, "invalid duration \"\(text)\"") }
        switch ch {
        case "s": total += value
        case "m": total += value * 60
        case "h": total += value * 3600
        default: throw MinipodError(.invalidArgument, "invalid duration \"\(text)\"")
        }
        number = ""
    }
    if !number.isEmpty { throw MinipodError(.invalidArgument, "invalid duration \"\(text)\": missing unit (s, m, h)") }
    return total
}
