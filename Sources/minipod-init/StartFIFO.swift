import CMinipod
import Glibc
import MinipodInitCore
import MinipodSystem

/// runc's exec.fifo protocol: the create process may be long gone when `start`
/// runs, so the go signal is `start` opening this FIFO for reading.
struct StartFIFO {
    let directory: Int32
    let name: String
    let container: String
    /// Its directory, O_PATH, now while the host path is reachable: pivot_root or chroot
    /// hides it later, and a container without /proc could not reopen an fd of the FIFO.
    init(path: String, container: String) throws {
        directory = open(parentDirectory(path), MP_O_PATH | O_DIRECTORY | O_CLOEXEC)
        if directory < 0 { throw MinipodError.sys("container \(container): open the directory of exec fifo \(path)") }
        name = String(path[path.index(after: path.lastIndex(of: "/")!)...])
        self.container = container
    }

    /// Blocks until `start` opens the other end, then writes one byte; the
    /// CLOEXEC write end closes at execve, which `start` sees as EOF.
    func waitForStart() throws {
        let writer = openat(directory, name, O_WRONLY | O_CLOEXEC)
        if writer < 0 { throw MinipodError.sys("container \(container): open exec fifo \(name)") }
        close(directory)
        var zero: UInt8 = 0x30
        if write(writer, &zero, 1) != 1 { throw MinipodError.sys("container \(container): write exec fifo") }
    }
}
