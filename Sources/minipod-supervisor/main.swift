import CMinipod
import Glibc
import MinipodPod
import MinipodSystem

// A pod's supervisor, one per pod (like conmon or containerd-shim), started by
// `minipod run` / `minipod serve` as exactly `minipod-supervisor KEY --report-fd N`.
// It stays resident while the pod lives, so this executable links only the
// supervisor and what it calls: no ArgumentParser, no CLI commands, no API server.

func fail(_ message: String) -> Never {
    fputs("minipod-supervisor: \(message)\n", stderr)
    exit(1)
}

let arguments = CommandLine.arguments
guard arguments.count == 4, !arguments[1].hasPrefix("-"), arguments[2] == "--report-fd", let reportFD = Int32(arguments[3]) else {
    fail("usage: minipod-supervisor NAMESPACE_POD --report-fd FD (started by minipod run)")
}
Signals.resetInherited()  // SIGTERM and SIGCHLD must reach the supervisor
// Every thread allocating from the one heap: glibc would give each thread an arena
// of its own (64 MiB reserved, ~120 KiB touched), memory per pod for no gain here.
_ = mp_malloc_arena_max(1)
if reportFD >= 0 { _ = fcntl(reportFD, F_SETFD, FD_CLOEXEC) }
do {
    let supervisor = try Supervisor(paths: PodPaths(), key: arguments[1], reportFD: reportFD)
    exit(supervisor.run())
} catch {
    fail("\(error)")
}
