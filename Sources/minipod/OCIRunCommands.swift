import ArgumentParser
import Foundation
import MinipodOCI
import MinipodRuntime
import MinipodSystem

/// The flags create and run share with runc.
struct OCICreateOptions: ParsableArguments {
    @Option(name: [.short, .long], help: "Bundle directory (holds config.json).") var bundle: String = "."
    @Option(name: .customLong("pid-file"), help: "Write the container's pid here.") var pidFile: String?
    @Option(name: .customLong("console-socket"), help: "AF_UNIX socket that receives the pty master.") var consoleSocket: String?
    @Flag(name: .customLong("no-pivot"), help: "Accepted; minipod always uses pivot_root.") var noPivot = false
    @Flag(name: .customLong("no-new-keyring"), help: "Accepted; no session keyring is created.") var noNewKeyring = false
    @Option(name: .customLong("preserve-fds"), help: "Not supported beyond 0.") var preserveFDs: Int = 0

    func request(id: String) throws -> OCIRuntime.CreateRequest {
        if preserveFDs != 0 { throw MinipodError(.invalidArgument, "container \(id): --preserve-fds is not supported by minipod") }
        var r = OCIRuntime.CreateRequest(id: id, bundle: bundle)
        r.pidFile = pidFile
        r.consoleSocket = consoleSocket
        return r
    }
}

struct OCICreate: OCIVerb {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create a container; its process waits for `start`.",
        discussion: "Example:\n  minipod oci create --bundle b web && minipod oci start web")
    @OptionGroup var global: OCIOptions
    @OptionGroup var options: OCICreateOptions
    @Argument var id: String

    func execute() throws { try global.runtime.create(try options.request(id: id)) }
}

struct OCIRun: OCIVerb {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Create and start a container; without -d, wait for it and delete it.",
        discussion: "Example:\n  minipod oci run --bundle b web")
    @OptionGroup var global: OCIOptions
    @OptionGroup var options: OCICreateOptions
    @Flag(name: [.short, .long], help: "Return once the process runs.") var detach = false
    @Flag(help: "Keep the container's state after it exits.") var keep = false
    @Argument var id: String

    func execute() throws {
        let runtime = global.runtime
        var request = try options.request(id: id)
        // A terminal with nobody to hand it to: we hold the master and copy it to our stdio.
        var console: SocketPair?
        if !detach && options.consoleSocket == nil,
            let spec = try? OCIBundle.load(options.bundle, id: id).spec, spec.process?.terminal == true
        {
            console = try SocketPair.make()
            request.consoleFD = console!.child
        }
        defer {
            if let console {
                close(console.parent)
                close(console.child)
            }
        }
        let record = try runtime.create(request)
        let master = try console.map { try OCIPlumbing.receiveConsole($0.parent, id: id) }
        do { try runtime.start(id) } catch {
            try? runtime.delete(id, force: true)
            throw error
        }
        if detach { return }
        let code = OCIForeground.wait(pid: record.pid, terminal: master, forwardSignals: true)
        if !keep { try runtime.delete(id, force: true) }
        throw ExitCode(code)
    }
}

struct OCIExec: OCIVerb {
    static let configuration = CommandConfiguration(
        commandName: "exec", abstract: "Run a process in a running container.",
        discussion: "Example:\n  minipod oci exec -t web /bin/sh")
    @OptionGroup var global: OCIOptions
    @Option(name: [.short, .long], help: "process.json (runtime-spec Process) instead of args.") var process: String?
    @Flag(name: [.short, .long], help: "Allocate a pseudo-TTY.") var tty = false
    @Option(name: .customLong("console-socket"), help: "AF_UNIX socket that receives the pty master.") var consoleSocket: String?
    @Option(name: .customLong("pid-file"), help: "Write the exec process's pid here.") var pidFile: String?
    @Flag(name: [.short, .long], help: "Return once the process runs.") var detach = false
    @Option(help: "Working directory in the container.") var cwd: String?
    @Option(name: [.short, .long], help: "NAME=VALUE to set.") var env: [String] = []
    @Option(name: [.short, .long], help: "uid[:gid].") var user: String?
    @Option(name: [.short, .customLong("additional-gids")], help: "Extra group id.") var additionalGids: [UInt32] = []
    @Option(name: [.short, .customLong("cap")], help: "Add a capability.") var caps: [String] = []
    @Flag(name: .customLong("no-new-privs"), help: "Set no_new_privs.") var noNewPrivs = false
    @Option(name: .customLong("preserve-fds"), help: "Not supported beyond 0.") var preserveFDs: Int = 0
    @Option(name: .customLong("process-label"), help: .init("Accepted, ignored (no SELinux).", visibility: .hidden)) var processLabel: String?
    @Option(name: .customLong("apparmor"), help: .init("Accepted, ignored (no AppArmor).", visibility: .hidden)) var apparmor: String?
    @Argument var id: String
    @Argument(parsing: .captureForPassthrough) var args: [String] = []

    func execute() throws {
        let runtime = global.runtime
        if preserveFDs != 0 { throw MinipodError(.invalidArgument, "container \(id): --preserve-fds is not supported by minipod") }
        var proc: RuntimeSpec.Process
        if let process {
            do {
                proc = try JSONDecoder().decode(RuntimeSpec.Process.self, from: Data(try FileIO.readBytes(process)))
            } catch let e as MinipodError { throw e } catch {
                throw MinipodError(.invalidArgument, "container \(id): cannot parse --process \(process): \(error)")
            }
        } else {
            let passthrough = args.first == "--" ? Array(args.dropFirst()) : args
            guard !passthrough.isEmpty else { throw MinipodError(.invalidArgument, "exec args cannot be empty") }
            proc = OCIRuntime.execProcess(base: try runtime.savedSpec(id).process, args: passthrough, tty: tty, cwd: cwd, env: env)
        }
        if let user {
            let parts = user.split(separator: ":").map { UInt32($0) }
            guard let uid = parts.first ?? nil, parts.count <= 2, parts.allSatisfy({ $0 != nil }) else {
                throw MinipodError(.invalidArgument, "invalid --user \(user): want uid[:gid]")
            }
            proc.user.uid = uid
            proc.user.gid = parts.count == 2 ? parts[1]! : proc.user.gid
        }
        if !additionalGids.isEmpty { proc.user.additionalGids = additionalGids }
        if noNewPrivs { proc.noNewPrivileges = true }
        for cap in caps {
            var c = proc.capabilities ?? RuntimeSpec.Capabilities()
            c.bounding = (c.bounding ?? []) + [cap]
            c.effective = (c.effective ?? []) + [cap]
            c.permitted = (c.permitted ?? []) + [cap]
            proc.capabilities = c
        }
        let terminal = proc.terminal == true
        if terminal && detach && consoleSocket == nil {
            throw MinipodError(.invalidArgument, "cannot allocate tty if runc will detach without setting console socket")
        }
        let started: (pid: pid_t, terminal: Int32?)
        do { started = try runtime.exec(id, process: proc) } catch let e as ExecFailure {
            global.fail(e, code: 255)  // runc's exit code when exec fails before the process runs
        }
        if let pidFile { try OCIPlumbing.writePidFile(pidFile, pid: started.pid) }
        var local = started.terminal
        if let master = started.terminal, let consoleSocket {
            let socket = try OCIPlumbing.connectUnix(consoleSocket, id: id)
            defer { close(socket) }
            try OCIPlumbing.sendConsole(master, to: socket, id: id)
            close(master)
            local = nil
        }
        if detach { return }
        throw ExitCode(OCIForeground.wait(pid: started.pid, terminal: local, forwardSignals: false))
    }
}
