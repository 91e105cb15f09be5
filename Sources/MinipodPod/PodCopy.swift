import Foundation
import MinipodRuntime
import MinipodSystem

/// `minipod cp`, as kubectl does it: a tar stream between the host's tar and
/// the container's own `tar` (run through exec, so every path is resolved
/// inside the container's mount namespace and cannot reach the host).
public struct PodCopy {
    public let exec: PodExec

    public init(paths: PodPaths) { exec = PodExec(paths: paths) }

    /// POD:SRC → LOCAL. A file lands at LOCAL (or inside it if LOCAL is a directory).
    public func fromPod(key: String, container: String, source: String, destination: String) throws {
        let scratch = NSTemporaryDirectory() + "minipod-cp-\(UUID().uuidString)"
        try FileIO.makeDirectories(scratch)
        defer { try? FileIO.removeTree(scratch) }
        let (dir, base) = split(source)
        let pipe = try FDPipe.make()
        let errors = try FDPipe.make()
        let pid: pid_t
        do {
            pid = try exec.start(
                key: key, container: container, command: ["tar", "cf", "-", "-C", dir, base],
                stdio: .init(stdin: -1, stdout: pipe.write, stderr: errors.write))
        } catch {
            [pipe.read, pipe.write, errors.read, errors.write].forEach { close($0) }
            throw error
        }
        close(pipe.write)
        close(errors.write)
        // The host's tar refuses absolute and `..` member names, so the stream cannot write outside scratch.
        var untar = SpawnRequest(
            path: "/bin/tar", arguments: ["tar", "xf", "-", "--no-same-owner", "-C", scratch], environment: Environment.current())
        untar.stdin = pipe.read
        let untarPid = try Spawn.start(untar)
        close(pipe.read)
        let containerSide = try Spawn.wait(pid) ?? .exited(1)
        let hostSide = try Spawn.wait(untarPid) ?? .exited(1)
        let message = String(decoding: (try? FileIO.readAll(errors.read, what: "tar")) ?? [], as: UTF8.self)
        close(errors.read)
        guard containerSide == .exited(0), hostSide == .exited(0) else {
            throw MinipodError(
                .runtime,
                "cp \(source): \(message.isEmpty ? "tar failed in the container (is tar in the image?)" : message.trimmingCharacters(in: .whitespacesAndNewlines))"
            )
        }
        var target = destination
        if FileIO.isDirectory(destination) { target = destination + "/" + base }
        let moved = try Spawn.run("/bin/mv", ["-T", "--", scratch + "/" + base, target])
        guard moved.status == .exited(0) else {
            throw MinipodError(.runtime, "cp: cannot write \(destination): \(String(decoding: moved.stderr, as: UTF8.self))")
        }
    }

    /// LOCAL → POD:DEST. DEST names the copy (kubectl's rule), unless it is an existing directory.
    public func toPod(key: String, container: String, source: String, destination: String) throws {
        guard FileIO.exists(source) else { throw MinipodError(.notFound, "\(source): no such file or directory") }
        let (srcDir, srcBase) = split(source)
        let destIsDir =
            (try? exec.run(
                key: key, container: container, command: ["test", "-d", destination],
                stdio: .init(), tty: false, forwardInput: false)) == 0
        let (destDir, destBase) = destIsDir ? (destination, srcBase) : split(destination)
        let pipe = try FDPipe.make()
        var tar = SpawnRequest(
            path: "/bin/tar", arguments: ["tar", "cf", "-", "--transform", "s|^\(srcBase)|\(destBase)|", "-C", srcDir, srcBase],
            environment: Environment.current())
        tar.stdout = pipe.write
        let tarPid = try Spawn.start(tar)
        close(pipe.write)
        let errors = try FDPipe.make()
        let pid = try exec.start(
            key: key, container: container, command: ["tar", "xf", "-", "-C", destDir],
            stdio: .init(stdin: pipe.read, stdout: -1, stderr: errors.write))
        close(pipe.read)
        close(errors.write)
        let containerSide = try Spawn.wait(pid) ?? .exited(1)
        _ = try Spawn.wait(tarPid)
        let message = String(decoding: (try? FileIO.readAll(errors.read, what: "tar")) ?? [], as: UTF8.self)
        close(errors.read)
        guard containerSide == .exited(0) else {
            throw MinipodError(
                .runtime,
                "cp to \(destination): \(message.isEmpty ? "tar failed in the container (is tar in the image?)" : message.trimmingCharacters(in: .whitespacesAndNewlines))"
            )
        }
    }

    /// "/a/b/c" → ("/a/b", "c"); "c" → (".", "c").
    func split(_ path: String) -> (String, String) {
        let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        guard let slash = trimmed.lastIndex(of: "/") else { return (".", trimmed) }
        let dir = String(trimmed[..<slash])
        return (dir.isEmpty ? "/" : dir, String(trimmed[trimmed.index(after: slash)...]))
    }
}
