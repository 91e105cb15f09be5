import Foundation
import MinipodSystem

/// config.json "hooks". createContainer and startContainer must run inside
/// the container's namespaces; minipod runs them on the host side for now
/// (see the runtime-core issue), the other four where the spec puts them.
public struct OCIHooks: Codable, Sendable {
    public var prestart: [Hook]?
    public var createRuntime: [Hook]?
    public var createContainer: [Hook]?
    public var startContainer: [Hook]?
    public var poststart: [Hook]?
    public var poststop: [Hook]?

    public struct Hook: Codable, Sendable {
        public var path: String
        public var args: [String]?
        public var env: [String]?
        public var timeout: Int?
    }

    /// Runs each hook with the state JSON on stdin; the first failure is thrown.
    public static func run(_ hooks: [Hook]?, phase: String, state: OCIState) throws {
        for (index, hook) in (hooks ?? []).enumerated() {
            try runOne(hook, label: "\(phase)[\(index)]", state: state)
        }
    }

    /// Failures of poststart/poststop are warnings (runtime-spec): the lifecycle goes on.
    public static func runWarning(_ hooks: [Hook]?, phase: String, state: OCIState, warn: (String) -> Void) {
        for (index, hook) in (hooks ?? []).enumerated() {
            do { try runOne(hook, label: "\(phase)[\(index)]", state: state) } catch { warn("\(error)") }
        }
    }

    private static func runOne(_ hook: Hook, label: String, state: OCIState) throws {
        let input = try FDPipe.make()
        let output = try FDPipe.make()
        var request = SpawnRequest(path: hook.path, arguments: hook.args ?? [hook.path], environment: hook.env ?? [])
        request.stdin = input.read
        request.stdout = output.write
        request.stderr = output.write
        let pid: pid_t
        do { pid = try Spawn.start(request) } catch {
            [input.read, input.write, output.read, output.write].forEach { close($0) }
            throw MinipodError(.runtime, "container \(state.id): hook \(label) \(hook.path): cannot start", errno: (error as? MinipodError)?.errno)
        }
        close(input.read)
        close(output.write)
        // A hook that does not read its stdin must not block us: the state fits the pipe buffer.
        _ = fcntl(input.write, F_SETFL, O_NONBLOCK)
        FileIO.writeAll(input.write, state.json())
        close(input.write)
        _ = fcntl(output.read, F_SETFL, O_NONBLOCK)
        var captured: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        let deadline = hook.timeout.map { Date().addingTimeInterval(Double($0)) }
        var status: ExitStatus?
        while status == nil {
            var fds = [pollfd(fd: output.read, events: Int16(POLLIN), revents: 0)]
            _ = poll(&fds, 1, 20)
            let n = read(output.read, &buf, buf.count)
            if n > 0 && captured.count < 4096 { captured += buf[0..<n] }
            status = try Spawn.wait(pid, options: WNOHANG)
            if status == nil, let deadline, Date() > deadline {
                kill(pid, SIGKILL)
                _ = try? Spawn.wait(pid)
                close(output.read)
                throw MinipodError(.runtime, "container \(state.id): hook \(label) \(hook.path) timed out after \(hook.timeout ?? 0)s")
            }
        }
        close(output.read)
        if status != .exited(0) {
            let text = String(decoding: captured, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw MinipodError(
                .runtime, "container \(state.id): hook \(label) \(hook.path) failed with \(status!)" + (text.isEmpty ? "" : ": \(text)"))
        }
    }
}
