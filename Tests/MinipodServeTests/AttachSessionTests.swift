import Foundation
import MinipodPod
import MinipodSystem
import Testing

@testable import MinipodServe

/// AttachSession against a stand-in supervisor on a real unix socket: what kubectl
/// sends becomes AttachProtocol frames, the container's frames become its streams.
struct AttachSessionTests {
    final class Recorder: @unchecked Sendable {
        let lock = NSLock()
        var out: [(ExecSession.Stream, String)] = []
        var result: ExecResult?
        func add(_ stream: ExecSession.Stream, _ bytes: ArraySlice<UInt8>) {
            lock.withLock { out.append((stream, String(decoding: bytes, as: UTF8.self))) }
        }
    }

    /// A scratch state root whose pod "default_box" has a listening supervisor.sock.
    func standInSupervisor() throws -> (PodPaths, Int32) {
        let state = NSTemporaryDirectory() + "attach-\(UUID().uuidString)"
        let paths = PodPaths(root: state + "/root", state: state)
        try FileManager.default.createDirectory(atPath: paths.runDir("default_box"), withIntermediateDirectories: true)
        return (paths, try UnixSocket.listen(at: paths.supervisorSocket("default_box")))
    }

    func waitFor(_ condition: () -> Bool) -> Bool {
        for _ in 0..<500 where !condition() { usleep(10_000) }
        return condition()
    }

    @Test func framesGoBothWaysAndTheSessionEndsWithTheContainersOutput() throws {
        let (paths, listener) = try standInSupervisor()
        defer {
            close(listener)
            try? FileManager.default.removeItem(atPath: paths.state)
        }
        var request = ExecRequest(key: "default_box", container: "box", command: [], stdin: true, stdout: true, stderr: true, tty: false)
        request.attach = true
        let recorder = Recorder()
        let session = AttachSession(
            request: request, paths: paths,
            output: { stream, bytes in
                recorder.add(stream, bytes)
                return true
            },
            finished: { result in recorder.lock.withLock { recorder.result = result } })
        session.start()

        let supervisor = accept(listener, nil, nil)
        #expect(supervisor >= 0)
        defer { close(supervisor) }
        let hello = try #require(AttachProtocol.readLine(AttachProtocol.Request.self, from: supervisor))
        #expect(hello.container == "box" && hello.stdin)
        #expect(AttachProtocol.writeLine(AttachProtocol.Response(error: nil, tty: false, stdin: true), to: supervisor))

        session.write(Array("ls\n".utf8))
        session.resize(json: Array(#"{"Width":97,"Height":31}"#.utf8))
        session.closeInput()
        let input = try #require(AttachProtocol.readFrame(supervisor))
        #expect(input.0 == .stdin && input.1 == Array("ls\n".utf8))
        let resize = try #require(AttachProtocol.readFrame(supervisor))
        #expect(resize.0 == .resize && resize.1 == [0, 31, 0, 97], "rows then columns")
        #expect(try #require(AttachProtocol.readFrame(supervisor)).0 == .stdinEOF)

        for (kind, text) in [(AttachProtocol.Kind.stdout, "bin\n"), (.stderr, "oops\n")] {
            _ = Array(text.utf8).withUnsafeBytes { AttachProtocol.frame(kind, $0) }.withUnsafeBytes { FileIO.writeAll(supervisor, $0) }
        }
        shutdown(supervisor, Int32(SHUT_RDWR))
        #expect(waitFor { recorder.lock.withLock { recorder.result != nil } })
        let out = recorder.lock.withLock { recorder.out }
        #expect(out.map(\.1) == ["bin\n", "oops\n"])
        #expect(out.map(\.0) == [.stdout, .stderr])
        #expect(recorder.lock.withLock { recorder.result?.status["status"] as? String } == "Success")
    }

    @Test func aRefusalFromTheSupervisorIsTheSessionsFailure() throws {
        let (paths, listener) = try standInSupervisor()
        defer {
            close(listener)
            try? FileManager.default.removeItem(atPath: paths.state)
        }
        var request = ExecRequest(key: "default_box", container: "gone", command: [], stdin: false, stdout: true, stderr: true, tty: false)
        request.attach = true
        let recorder = Recorder()
        let session = AttachSession(
            request: request, paths: paths, output: { _, _ in true }, finished: { result in recorder.lock.withLock { recorder.result = result } })
        session.start()
        let supervisor = accept(listener, nil, nil)
        defer { close(supervisor) }
        _ = AttachProtocol.readLine(AttachProtocol.Request.self, from: supervisor)
        _ = AttachProtocol.writeLine(AttachProtocol.Response(error: "container gone is not running", tty: false, stdin: false), to: supervisor)
        #expect(waitFor { recorder.lock.withLock { recorder.result != nil } })
        let status = recorder.lock.withLock { recorder.result?.status }
        #expect(status?["status"] as? String == "Failure")
        #expect((status?["message"] as? String)?.contains("container gone is not running") == true)
    }
}
