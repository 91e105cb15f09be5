import CMinipod
import Glibc
import MinipodInitCore
import MinipodInitProtocol
import MinipodOCI
import MinipodSystem

// minipod-init: becomes a container's process (create mode) or a process
// inside a running container (exec mode). It is started by clone()+execve()
// from the C shim with the sync socket as fd 3, and stays single-threaded:
// no Dispatch, no Swift concurrency, FoundationEssentials only (for JSON).
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

let syncFD: Int32 = 3

// Until it execs the container's program this process is a host binary inside the
// container's namespaces. Not dumpable, its /proc/<pid>/exe cannot be opened by the
// container's root without CAP_SYS_PTRACE (the CVE-2019-5736 route to overwrite
// minipod-init on the host); execve of the program makes it dumpable again.
_ = mp_set_dumpable(0)

func report(_ r: InitReport) {
    guard let data = try? JSONEncoder().encode(r) else { return }
    try? Message.send(syncFD, Array(data))
}

func fail(_ error: Error, exitCode: Int32 = 1) -> Never {
    let e = error as? MinipodError
    report(InitReport(kind: .error, message: "\(error)", errno: e?.errno, exitCode: exitCode))
    exit(exitCode)
}

// The sync socket must vanish at execve: its EOF tells the launcher the container's program runs.
_ = fcntl(syncFD, F_SETFD, FD_CLOEXEC)

guard let bytes = try? Message.receive(syncFD) else {
    FileIO.writeAll(2, "minipod-init: this program is started by minipod, not by hand\n")
    exit(2)
}
let config: InitConfig
do {
    config = try JSONDecoder().decode(InitConfig.self, from: Data(bytes))
} catch {
    fail(MinipodError(.internal, "bad init config: \(error)"))
}
/// The filter the parent compiled from spec.linux.seccomp (it follows the config).
let seccompProgram: SeccompProgram? = {
    guard let flags = config.seccompFlags else { return nil }
    guard let instructions = try? Message.receive(syncFD), !instructions.isEmpty else {
        fail(MinipodError(.internal, "seccomp program missing after the init config"))
    }
    return SeccompProgram(instructions: instructions, flags: flags)
}()
if config.spec.linux?.seccomp != nil && seccompProgram == nil {
    fail(MinipodError(.internal, "linux.seccomp is set but no compiled filter was sent"))
}

do {
    switch config.mode {
    case .create: try ContainerInit(config: config).run()
    case .exec:
        let exec = ContainerExec(config: config, seccomp: seccompProgram, syncSocket: syncFD)
        switch try exec.run(reportPid: { report(InitReport(kind: .pid, pid: $0)) }) {
        case .commandEnded(let code), .execFailed(let code): exit(code)
        }
    }
} catch {
    fail(error, exitCode: (error as? LaunchError)?.exitCode ?? 1)
}
