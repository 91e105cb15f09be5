import CMinipod
import Glibc
import MinipodSystem

/// --console-socket, as runc does it: the pty is made in the container's own
/// devpts (so the container sees its own /dev/pts/0), the master goes to the
/// caller with SCM_RIGHTS, the slave becomes our stdio and controlling terminal.
enum Console {
    static func attach(socket: Int32, container: String) throws {
        defer { close(socket) }
        let master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)
        if master < 0 { throw MinipodError.sys("container \(container): open /dev/ptmx for the console") }
        defer { close(master) }
        var name = [CChar](repeating: 0, count: 128)
        if mp_pty_peer_name(master, &name, name.count) != 0 { throw MinipodError.sys("container \(container): unlockpt/ptsname") }
        let slavePath = String(cString: name)
        // runc sends the master's name as the message body; conmon and recvtty only take the fd.
        let sent = Array("/dev/ptmx".utf8).withUnsafeBytes { mp_send_fd(socket, master, $0.baseAddress, $0.count) }
        if sent != 0 { throw MinipodError.sys("container \(container): send console to --console-socket") }
        let slave = open(slavePath, O_RDWR | O_NOCTTY)
        if slave < 0 { throw MinipodError.sys("container \(container): open \(slavePath)") }
        for target in Int32(0)...2 where dup2(slave, target) < 0 { throw MinipodError.sys("dup2 console") }
        if slave > 2 { close(slave) }
        // The launcher started us with setsid(): we may take a controlling terminal.
        if mp_set_ctty(0) != 0 { throw MinipodError.sys("container \(container): set controlling terminal") }
    }
}
