import ArgumentParser
import Foundation
import MinipodCgroups
import MinipodRuntime
import MinipodSystem

/// `minipod oci …` (or `minipod-oci …` through a symlink): runc's command
/// line, flags, messages and exit codes, so podman, conmon and containerd's
/// runc shim can drive minipod's runtime core.
struct OCICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "oci",
        abstract:
            "OCI runtime with runc's command line (create, start, state, kill, delete, run, exec, ps, update, pause, resume, spec, features, list).",
        discussion: """
            Examples:
              minipod oci spec && minipod oci run -b . demo         # like runc
              ln -s $(command -v minipod) /usr/local/bin/minipod-oci
              podman --runtime /usr/local/bin/minipod-oci run --rm busybox echo hi
            """,
        version: "minipod-oci version 0.1.0\nspec: 1.2.0",
        subcommands: [
            OCICreate.self, OCIStart.self, OCIStateCommand.self, OCIKill.self, OCIDelete.self, OCIRun.self,
            OCIExec.self, OCIPs.self, OCIUpdate.self, OCIPause.self, OCIResume.self, OCISpec.self, OCIFeatures.self, OCIList.self,
        ]
    )

    @OptionGroup var global: OCIOptions
}

/// runc's global flags; they may come before or after the verb.
struct OCIOptions: ParsableArguments {
    @Option(help: "Root directory for storage of container state.")
    var root: String = "/run/minipod/oci"

    @Option(help: "Write errors and warnings to this file as well as stderr.")
    var log: String?

    @Option(name: .customLong("log-format"), help: "text or json.")
    var logFormat: String = "text"

    @Flag(help: "Accepted for runc compatibility.")
    var debug = false

    @Flag(name: .customLong("systemd-cgroup"), help: "Accepted: systemd-style cgroupsPath is mapped onto cgroupfs.")
    var systemdCgroup = false

    @Option(help: .init("Accepted for runc compatibility.", visibility: .hidden))
    var rootless: String?

    @Option(help: .init("Accepted for runc compatibility.", visibility: .hidden))
    var criu: String?

    var runtime: OCIRuntime {
        var r = OCIRuntime(root: root)
        let options = self
        r.warn = { options.write(level: "warning", $0) }
        return r
    }

    /// As runc: the entry goes to --log (text or json); stderr always gets the plain message.
    func fail(_ error: Error, code: Int32 = 1) -> Never {
        let message = (error as? ExecFailure)?.message ?? "\(error)"
        write(level: "error", message)
        Foundation.exit(code)
    }

    func write(level: String, _ message: String) {
        let time = RFC3339.now()
        if let log {
            let line: String
            if logFormat == "json" {
                let fields = ["level": level, "msg": message, "time": time]
                let data = (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
                line = String(decoding: data, as: UTF8.self)
            } else {
                line = "time=\"\(time)\" level=\(level) msg=\(quoted(message))"
            }
            let fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            if fd >= 0 {
                FileIO.writeAll(fd, line + "\n")
                close(fd)
            }
            FileHandle.standardError.write(Data((message + "\n").utf8))
        } else {
            FileHandle.standardError.write(Data("time=\"\(time)\" level=\(level) msg=\(quoted(message))\n".utf8))
        }
    }

    private func quoted(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

/// Runs a verb with runc's error reporting: message to --log and stderr, exit 1.
protocol OCIVerb: ParsableCommand {
    var global: OCIOptions { get }
    func execute() throws
}

extension OCIVerb {
    func run() throws {
        do { try execute() } catch let e as ExitCode { throw e } catch { global.fail(error) }
    }
}

struct OCIStart: OCIVerb {
    static let configuration = CommandConfiguration(
        commandName: "start", abstract: "Start a created container (runs its process).",
        discussion: "Example:\n  minipod oci start web")
    @OptionGroup var global: OCIOptions
    @Argument var id: String

    func execute() throws { try global.runtime.start(id) }
}

/// runc pause / resume: the container's cgroup freezer.
struct OCIPause: OCIVerb {
    static let configuration = CommandConfiguration(
        commandName: "pause", abstract: "Suspend every process of a running container (cgroup freezer).",
        discussion: "Example:\n  minipod oci pause web && minipod oci state web")
    @OptionGroup var global: OCIOptions
    @Argument var id: String

    func execute() throws { try global.runtime.pause(id) }
}

struct OCIResume: OCIVerb {
    static let configuration = CommandConfiguration(
        commandName: "resume", abstract: "Resume a paused container.",
        discussion: "Example:\n  minipod oci resume web")
    @OptionGroup var global: OCIOptions
    @Argument var id: String

    func execute() throws { try global.runtime.resume(id) }
}

struct OCIStateCommand: OCIVerb {
    static let configuration = CommandConfiguration(
        commandName: "state", abstract: "Print the state of a container as JSON.",
        discussion: "Example:\n  minipod oci state web")
    @OptionGroup var global: OCIOptions
    @Argument var id: String

    func execute() throws { print(try global.runtime.state(id).json()) }
}

struct OCIKill: OCIVerb {
    static let configuration = CommandConfiguration(
        commandName: "kill", abstract: "Send a signal (default SIGTERM) to a container's init.",
        discussion: "Example:\n  minipod oci kill web KILL")
    @OptionGroup var global: OCIOptions
    @Flag(name: [.short, .long], help: "Signal every process in the container's cgroup.") var all = false
    @Argument var id: String
    @Argument var signal: String = "SIGTERM"

    func execute() throws {
        guard let number = Signals.number(signal) else { throw MinipodError(.invalidArgument, "unknown signal \"\(signal)\"") }
        try global.runtime.kill(id, signal: number, all: all)
    }
}

struct OCIDelete: OCIVerb {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Delete a container: its cgroup and state.",
        discussion: "Example:\n  minipod oci delete --force web")
    @OptionGroup var global: OCIOptions
    @Flag(name: [.short, .long], help: "Kill the container first if it is running.") var force = false
    @Argument var id: String

    func execute() throws { try global.runtime.delete(id, force: force) }
}

struct OCIFeatures: OCIVerb {
    static let configuration = CommandConfiguration(
        commandName: "features", abstract: "Print the runtime-spec features JSON.",
        discussion: "Example:\n  minipod oci features | jq .namespaces")
    @OptionGroup var global: OCIOptions

    func execute() throws { print(OCIDefaults.Features().json()) }
}

struct OCISpec: OCIVerb {
    static let configuration = CommandConfiguration(
        commandName: "spec", abstract: "Write a default config.json (a root shell in ./rootfs).",
        discussion: "Example:\n  mkdir -p b/rootfs && minipod oci spec --bundle b")
    @OptionGroup var global: OCIOptions
    @Option(name: [.short, .long], help: "Directory to write config.json to.") var bundle: String = "."

    func execute() throws {
        if global.rootless == "true" { throw MinipodError(.invalidArgument, "spec --rootless is not supported by minipod") }
        let path = OCIBundle.absolute(bundle) + "/config.json"
        if FileIO.exists(path) { throw MinipodError(.alreadyExists, "File config.json exists. Remove it first") }
        try FileIO.write(path, OCIDefaults.configJSON, mode: 0o666)
    }
}

struct OCIList: OCIVerb {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List containers under --root.",
        discussion: "Example:\n  minipod oci list --format json")
    @OptionGroup var global: OCIOptions
    @Option(name: [.short, .long], help: "table or json.") var format: String = "table"
    @Flag(name: [.short, .long], help: "Print only the ids.") var quiet = false

    func execute() throws {
        let states = global.runtime.list()
        if quiet {
            states.forEach { print($0.id) }
            return
        }
        if format == "json" {
            print("[" + states.map { $0.json() }.joined(separator: ",") + "]")
            return
        }
        let rows =
            [["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"]]
            + states.map { [$0.id, String($0.pid), $0.status.rawValue, $0.bundle, $0.created, "root"] }
        let widths = (0..<6).map { col in rows.map { $0[col].count }.max() ?? 0 }
        for row in rows {
            print(
                row.enumerated().map {
                    $0.offset == 5 ? $0.element : $0.element.padding(toLength: widths[$0.offset] + 3, withPad: " ", startingAt: 0)
                }.joined())
        }
    }
}

struct OCIPs: OCIVerb {
    static let configuration = CommandConfiguration(
        commandName: "ps", abstract: "List the processes of a container (ps -ef, or --format json).",
        discussion: "Example:\n  minipod oci ps web -- -o pid,comm")
    @OptionGroup var global: OCIOptions
    @Option(name: [.short, .long], help: "table or json.") var format: String = "table"
    @Argument var id: String
    @Argument(parsing: .captureForPassthrough, help: "ps options (default -ef).") var psArgs: [String] = []

    func execute() throws {
        let pids = try global.runtime.pids(id)
        if format == "json" {
            print("[" + pids.map(String.init).joined(separator: ",") + "]")
            return
        }
        let result = try Spawn.run("/bin/ps", psArgs.isEmpty ? ["-ef"] : psArgs)
        let lines = String(decoding: result.stdout, as: UTF8.self).split(separator: "\n")
        guard let header = lines.first, let column = header.split(separator: " ").firstIndex(of: "PID") else {
            throw MinipodError(.runtime, "container \(id): ps output has no PID column")
        }
        print(header)
        let wanted = Set(pids)
        for line in lines.dropFirst() {
            let fields = line.split(separator: " ")
            if fields.count > column, let pid = pid_t(fields[column]), wanted.contains(pid) { print(line) }
        }
    }
}
