import Foundation

/// A bundle directory on disk (secureJoin reads the rootfs's symlinks from it), removed with the value.
final class TemporaryBundle {
    let path: String
    var rootfs: String { path + "/rootfs" }

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("minipod-initcore-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path + "/rootfs", withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
