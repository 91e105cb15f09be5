import Foundation
import MinipodOCI
import Testing

@testable import MinipodRuntime

/// MinipodInitCoreTests run the setup against checked-in specs, so they depend on
/// MinipodInitCore alone; this keeps the OCI one what `minipod oci spec` makes
/// (with Docker's default seccomp profile, as `oci create` compiles it).
/// MINIPOD_WRITE_FIXTURES=1 writes it afresh.
struct InitCoreFixtureTests {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("MinipodInitCoreTests/Fixtures/oci-default.json").path

    @Test func theOCIFixtureIsTheDefaultBundlesSpec() throws {
        let bundle = FileManager.default.temporaryDirectory.appendingPathComponent("minipod-fixture-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: bundle + "/rootfs", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: bundle) }
        try Data(OCIDefaults.configJSON.utf8).write(to: URL(fileURLWithPath: bundle + "/config.json"))
        var spec = try OCIBundle.load(bundle, id: "test").spec
        spec.linux?.seccomp = DefaultProfile.seccomp()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let made = String(decoding: try encoder.encode(spec), as: UTF8.self).replacingOccurrences(of: bundle, with: "/BUNDLE") + "\n"
        if ProcessInfo.processInfo.environment["MINIPOD_WRITE_FIXTURES"] == "1" {
            try made.write(toFile: Self.path, atomically: true, encoding: .utf8)
        }
        #expect(made == (try String(contentsOfFile: Self.path, encoding: .utf8)), "run with MINIPOD_WRITE_FIXTURES=1 and review the diff")
    }
}
