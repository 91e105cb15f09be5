import Foundation
import MinipodSystem

/// The files of one cgroup directory. Writes never create a file (a missing
/// one means the kernel lacks the feature), and their errors name the
/// linux.resources field the value came from.
struct CgroupFiles {
    let directory: String

    func path(_ file: String) -> String { directory + "/" + file }

    func exists(_ file: String) -> Bool { FileIO.exists(path(file)) }

    func read(_ file: String) -> String? {
        (try? FileIO.readString(path(file))).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    func readNumber(_ file: String) -> UInt64? { read(file).flatMap { UInt64($0) } }

    func write(_ file: String, _ value: String, field: String) throws {
        do {
            try FileIO.write(path(file), value, flags: O_WRONLY | O_TRUNC)
        } catch let error as MinipodError {
            throw Self.error(error.errno, file: path(file), value: value, field: field)
        }
    }

    /// For knobs runc skips when the kernel does not have them (kernel memory, burst).
    /// Returns false when the file is missing or the kernel refuses the knob itself.
    @discardableResult
    func writeIfSupported(_ file: String, _ value: String, field: String) throws -> Bool {
        guard exists(file) else { return false }
        do {
            try FileIO.write(path(file), value, flags: O_WRONLY | O_TRUNC)
            return true
        } catch let error as MinipodError where error.errno == EOPNOTSUPP || error.errno == ENOTSUP {
            return false
        } catch let error as MinipodError {
            throw Self.error(error.errno, file: path(file), value: value, field: field)
        }
    }

    static func error(_ errno: Int32?, file: String, value: String, field: String) -> MinipodError {
        switch errno {
        case ENOENT?:
            return MinipodError(.runtime, "not supported on this host (\(file) does not exist)", field: field)
        case EINVAL?, ERANGE?:
            return MinipodError(.invalidArgument, "invalid value \"\(value)\" (\(file))", field: field, errno: errno)
        default:
            return MinipodError(.runtime, "cannot write \"\(value)\" to \(file)", field: field, errno: errno)
        }
    }
}
