import Foundation
import Testing

/// Pod names are DNS subdomains, as the API server allows: dots, and up to 253
/// characters, which is more than a file name holds (255 bytes with the
/// namespace and uid beside it) and than a hostname holds (63, where kubelet truncates).
extension Integration {
    /// 62 + 1 + 62 + 1 + 63 + 1 + 63 = 253 characters; the first 63 end in a dot.
    static let longestPodName = [
        "long" + String(repeating: "a", count: 58), String(repeating: "b", count: 62),
        String(repeating: "c", count: 63), String(repeating: "d", count: 63),
    ].joined(separator: ".")

    @Test(arguments: ["web.v1.example", longestPodName])
    func aPodNamedAsADNSSubdomainRunsAndIsRemoved(name: String) throws {
        let before = HostSnapshot.take()
        defer { host.cleanup([name]) }
        // kubelet's hostname: the name cut to 63 characters, without a trailing dot or dash.
        let hostname = String(name.prefix(63)).trimmingCharacters(in: CharacterSet(charactersIn: ".-"))
        let path = host.manifest(
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: \(name)
            spec:
              containers:
                - name: app
                  image: busybox:1.36
                  command: ["sh", "-c", "echo up as $(hostname); sleep 3600"]
            """)
        let run = host.run(["run", path])
        try #require(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "pod/\(name) running\n")
        #expect(host.run(["get", "pod", name, "--no-headers"]).stdout.hasPrefix(name + " "))
        #expect(host.run(["get", "pods", "-o", "name"]).stdout.contains("pod/\(name)\n"))
        #expect(host.eventually { host.run(["logs", name]).stdout == "up as \(hostname)\n" }, "\(host.run(["logs", name]))")
        #expect(host.run(["exec", name, "--", "hostname"]).stdout == hostname + "\n")
        #expect(host.run(["exec", name, "--", "cat", "/etc/hosts"]).stdout.contains("\t\(hostname)\n"))
        #expect(host.run(["describe", "pod", name]).stdout.contains(name))
        let deleted = host.run(["delete", "pod", name, "--now"])
        #expect(deleted.status == 0, "\(deleted.stderr)")
        #expect(deleted.stdout == "pod \"\(name)\" deleted\n", "\(deleted.stdout)")
        #expect(HostSnapshot.take() == before, "left: \(HostSnapshot.take())")
        let logs = (try? FileManager.default.contentsOfDirectory(atPath: host.base + "/log/pods")) ?? []
        #expect(!logs.contains { $0.contains(hostname.prefix(20)) }, "\(logs)")
    }

    @Test func aPodNameLongerThan253CharactersIsRefused() {
        let tooLong = Self.longestPodName + "e"
        let run = host.run(["run", "-"], stdin: Self.stdinPod(tooLong))
        #expect(run.status != 0)
        #expect(run.stderr.contains("metadata.name"), "\(run.stderr)")
    }
}
