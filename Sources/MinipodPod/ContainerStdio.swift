import Foundation
import MinipodRuntime
import MinipodSystem

/// The supervisor's ends of a container's stdio. Without `tty`: a pipe per
/// output stream, and with `stdin: true` one for input (a shell then waits
/// for input instead of reading /dev/null's EOF). With `tty: true`: a pty made
/// by init in the container's devpts, its master sent back over a console
/// socket (the OCI console-socket flow), carrying output and input alike.
struct ContainerStdio {
    let tty: Bool
    let stdinOnce: Bool
    private var pipes: [Int32] = []  // every pipe fd still open
    private var console: SocketPair?
    private var stdinWrite: Int32 = -1

    /// What the container's init gets.
    let containerSide: ContainerLauncher.Stdio
    let options: ContainerLauncher.CreateOptions

    init(tty: Bool, stdin: Bool, stdinOnce: Bool) throws {
        self.tty = tty
        self.stdinOnce = stdinOnce
        if tty {
            let pair = try SocketPair.make()
            console = pair
            containerSide = ContainerLauncher.Stdio()
            options = ContainerLauncher.CreateOptions(consoleSocket: pair.child)
            return
        }
        let out = try FDPipe.make()
        let err = try FDPipe.make()
        pipes = [out.read, out.write, err.read, err.write]
        var input: Int32 = -1
        if stdin {
            let pipe = try FDPipe.make()
            pipes += [pipe.read, pipe.write]
            input = pipe.read
            stdinWrite = pipe.write
        }
        containerSide = ContainerLauncher.Stdio(stdin: input, stdout: out.write, stderr: err.write)
        options = ContainerLauncher.CreateOptions()
    }

    /// After a failed create: nothing stays open.
    func discard() {
        pipes.forEach { close($0) }
        if let console {
            close(console.parent)
            close(console.child)
        }
    }

    /// After create: closes the container's ends and starts copying output into
    /// the log and to attached clients. Returns the container's attach hub.
    func connect(to log: LogFile, container: String) throws -> AttachHub {
        [containerSide.stdin, containerSide.stdout, containerSide.stderr].filter { $0 >= 0 }.forEach { close($0) }
        if let console {
            close(console.child)
            defer { close(console.parent) }
            let master = try OCIPlumbing.receiveConsole(console.parent, id: container)
            let hub = AttachHub(tty: true, input: dup(master), stdinOnce: stdinOnce, streams: 1)
            LogPump(readFrom: master, stream: "stdout", log: log, hub: hub).start { hub.streamEnded() }
            return hub
        }
        let hub = AttachHub(tty: false, input: stdinWrite, stdinOnce: stdinOnce, streams: 2)
        LogPump(readFrom: pipes[0], stream: "stdout", log: log, hub: hub).start { hub.streamEnded() }
        LogPump(readFrom: pipes[2], stream: "stderr", log: log, hub: hub).start { hub.streamEnded() }
        return hub
    }
}
