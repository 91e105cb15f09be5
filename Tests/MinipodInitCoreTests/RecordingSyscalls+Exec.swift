import Glibc
import MinipodInitCore
import MinipodSystem

/// exec mode's calls. Descriptors are handed out from 10 up, in the order opened.
extension RecordingSyscalls {
    func namespaceID(_ path: String) -> String? { namespaceIDs[path] }

    func openProcEntry(_ path: String, directory: Bool) throws -> Int32? {
        try record(.openProcEntry(path))
        if missingProcEntries.contains(path) { return nil }
        return nextDescriptor()
    }

    func closeDescriptor(_ fd: Int32) { calls.append(.closeDescriptor(fd)) }

    func threadCount() -> Int { threads }

    func setns(_ fd: Int32, _ namespace: Sys.Namespaces, container: String) throws { try record(.setns(namespace)) }

    func chrootInto(_ directory: Int32, container: String) throws { try record(.chrootInto(directory)) }

    func openTerminal(container: String) throws -> (master: Int32, peer: String) {
        try record(.openTerminal)
        return (nextDescriptor(), "/dev/pts/3")
    }

    func sendDescriptor(_ fd: Int32, over socket: Int32) throws { try record(.sendDescriptor(fd, socket: socket)) }

    func forkForwarding(_ signals: [Int32]) throws -> pid_t {
        try record(.forkForwarding(signals))
        return forkResult
    }

    func becomeTerminalSession(_ peer: String) throws { try record(.becomeTerminalSession(peer)) }

    func waitForExit(_ pid: pid_t) throws -> ExitStatus {
        try record(.waitForExit(pid))
        return exitStatus
    }
}
