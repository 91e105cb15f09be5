import Foundation
import Testing

/// `kubectl get pods a b` with b missing prints a's row and NotFound for b, and exits 1.
extension Integration {
    @Test func getPrintsTheFoundPodsAndNotFoundForTheOthers() throws {
        defer { host.cleanup(["get-found"]) }
        try #require(host.run(["run", host.manifest(Self.stdinPod("get-found"))]).status == 0)
        let table = host.run(["get", "pods", "get-found", "get-missing"])
        #expect(table.status == 1)
        #expect(table.stdout.hasPrefix("NAME "), "\(table.stdout)")
        #expect(table.stdout.contains("\nget-found "), "\(table.stdout)")
        #expect(table.stderr == "Error from server (NotFound): pods \"get-missing\" not found\n", "\(table.stderr)")

        let names = host.run(["get", "pods", "get-missing", "get-found", "-o", "name"])
        #expect(names.status == 1)
        #expect(names.stdout == "pod/get-found\n", "\(names.stdout)")
        #expect(names.stderr == "Error from server (NotFound): pods \"get-missing\" not found\n", "\(names.stderr)")

        let none = host.run(["get", "pod", "get-missing", "get-absent"])
        #expect(none.status == 1)
        #expect(none.stdout.isEmpty, "\(none.stdout)")
        #expect(
            none.stderr
                == "Error from server (NotFound): pods \"get-missing\" not found\nError from server (NotFound): pods \"get-absent\" not found\n",
            "\(none.stderr)")
    }
}
