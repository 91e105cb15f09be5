import Foundation
import Testing

extension Integration {
    /// `cp` both ways through the container's own tar, as kubectl cp works.
    @Test func copyFilesInAndOutOfAContainer() throws {
        defer { host.cleanup(["sidecar-demo"]) }
        try #require(host.run(["run", host.example("sidecar-pod.yaml")]).status == 0)
        let local = host.base + "/cp-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: local, withIntermediateDirectories: true)
        try "hello from the host\n".write(toFile: local + "/greeting.txt", atomically: true, encoding: .utf8)

        let into = host.run(["cp", local + "/greeting.txt", "sidecar-demo:/tmp/copied.txt", "-c", "log-reader"])
        #expect(into.status == 0, "\(into.stderr)")
        #expect(host.run(["exec", "sidecar-demo", "-c", "log-reader", "--", "cat", "/tmp/copied.txt"]).stdout == "hello from the host\n")

        let back = host.run(["cp", "sidecar-demo:/tmp/copied.txt", local + "/back.txt", "-c", "log-reader"])
        #expect(back.status == 0, "\(back.stderr)")
        #expect((try? String(contentsOfFile: local + "/back.txt", encoding: .utf8)) == "hello from the host\n")

        // A directory copied out lands inside an existing local directory.
        _ = host.run(["exec", "sidecar-demo", "-c", "log-reader", "--", "sh", "-c", "mkdir -p /tmp/d/sub && echo x > /tmp/d/sub/f"])
        #expect(host.run(["cp", "sidecar-demo:/tmp/d", local, "-c", "log-reader"]).status == 0)
        #expect((try? String(contentsOfFile: local + "/d/sub/f", encoding: .utf8)) == "x\n")

        // Paths are the container's: `..` cannot climb out of its root onto the host.
        let escape = host.run(["cp", local + "/greeting.txt", "sidecar-demo:/../../../../tmp/minipod-cp-escape", "-c", "log-reader"])
        #expect(escape.status == 0)
        #expect(!FileManager.default.fileExists(atPath: "/tmp/minipod-cp-escape"))

        let missing = host.run(["cp", "sidecar-demo:/no/such/file", local + "/x", "-c", "log-reader"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("No such file or directory") || missing.stderr.contains("no such file"), "\(missing.stderr)")
    }
}
