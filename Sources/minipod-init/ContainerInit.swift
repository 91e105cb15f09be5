import Glibc
import MinipodInitCore
import MinipodInitProtocol
import MinipodOCI
import MinipodSystem

/// create mode: ContainerSetup's namespaces, rootfs and pivot_root, then "ready",
/// the wait for "start", and exec.
struct ContainerInit {
    let config: InitConfig

    func run() throws {
        let setup = try ContainerSetup(config: config, seccomp: seccompProgram)
        try setup.joinCgroup()
        let fifo = try config.startFIFO.map { try StartFIFO(path: $0, container: config.name) }
        let launch = try setup.run()

        // Tell the launcher we are ready; it answers with one byte to start
        // (the OCI create/start split), or closes the socket to abort.
        report(InitReport(kind: .ready, pid: getpid(), warnings: launch.warnings.isEmpty ? nil : launch.warnings))
        guard let fifo else {
            guard let go = try Message.receive(syncFD), go.first == 1 else { exit(1) }
            try launch.exec()
        }
        try fifo.waitForStart()
        do { try launch.exec() } catch {
            // The create process that held the socket is gone: stderr is the only witness left.
            FileIO.writeAll(2, "\(error)\n")
            throw error
        }
    }
}
