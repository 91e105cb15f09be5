import MinipodSystem

extension FileIO {
    @discardableResult
    public static func writeAll(_ fd: Int32, _ text: String) -> Bool {
        Array(text.utf8).withUnsafeBytes { writeAll(fd, $0) }
    }
}
