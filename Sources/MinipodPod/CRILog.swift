import Foundation
import MinipodSystem

/// The CRI container log format kubelet reads: `<RFC3339Nano> <stream> <F|P> <content>`,
/// one record per line; P marks a partial record (a line split at the size limit).
public enum CRILog {
    public static let maxLineSize = 16 * 1024

    public struct Record: Equatable, Sendable {
        public var timestamp: String
        public var stream: String
        public var partial: Bool
        public var content: String
    }

    /// RFC3339Nano in UTC with trailing zeros of the fraction removed, as Go formats it.
    public static func timestamp(seconds: Int, nanoseconds: Int) -> String {
        var t = time_t(seconds)
        var tmValue = tm()
        gmtime_r(&t, &tmValue)
        // Plain digit padding: String(format:) would go through CoreFoundation for every log line.
        func pad(_ v: Int, _ width: Int) -> String {
            let d = String(v)
            return d.count >= width ? d : String(repeating: "0", count: width - d.count) + d
        }
        var text = pad(Int(tmValue.tm_year) + 1900, 4) + "-" + pad(Int(tmValue.tm_mon) + 1, 2) + "-" + pad(Int(tmValue.tm_mday), 2)
            + "T" + pad(Int(tmValue.tm_hour), 2) + ":" + pad(Int(tmValue.tm_min), 2) + ":" + pad(Int(tmValue.tm_sec), 2)
        if nanoseconds > 0 {
            var fraction = pad(nanoseconds, 9)
            while fraction.hasSuffix("0") { fraction.removeLast() }
            text += "." + fraction
        }
        return text + "Z"
    }

    public static func now() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return timestamp(seconds: ts.tv_sec, nanoseconds: ts.tv_nsec)
    }

    /// Encodes one line of output (without its newline) as one or more records.
    public static func encode(line: ArraySlice<UInt8>, stream: String, complete: Bool, timestamp: String) -> [UInt8] {
        var out: [UInt8] = []
        var rest = line
        repeat {
            let chunk = rest.prefix(maxLineSize)
            rest = rest.dropFirst(chunk.count)
            let tag = (rest.isEmpty && complete) ? "F" : "P"
            out += Array("\(timestamp) \(stream) \(tag) ".utf8) + chunk + [UInt8(ascii: "\n")]
        } while !rest.isEmpty
        return out
    }

    public static func parse(_ line: Substring) -> Record? {
        let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count >= 3, parts[1] == "stdout" || parts[1] == "stderr", parts[2] == "F" || parts[2] == "P" else { return nil }
        return Record(timestamp: String(parts[0]), stream: String(parts[1]), partial: parts[2] == "P",
                      content: parts.count == 4 ? String(parts[3]) : "")
    }
}

/// A container's log file, shared by its stdout and stderr pumps. Rotates at
/// a size limit as kubelet does (containerLogMaxSize, 10 MiB; one previous
/// file kept as <name>.1), so a chatty container cannot fill the disk.
public final class LogFile: @unchecked Sendable {
    public static var defaultMaxSize: Int {
        ProcessInfo.processInfo.environment["MINIPOD_LOG_MAX_SIZE"].flatMap(Int.init) ?? 10 * 1024 * 1024
    }

    let path: String
    let maxSize: Int
    private var fd: Int32
    private var size: Int
    private let lock = NSLock()
    private var users = 0

    public init(path: String, maxSize: Int = LogFile.defaultMaxSize) throws {
        self.path = path
        self.maxSize = maxSize
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        if fd < 0 { throw MinipodError.sys("open log \(path)") }
        var st = stat()
        size = fstat(fd, &st) == 0 ? Int(st.st_size) : 0
    }

    func retain() { lock.lock(); users += 1; lock.unlock() }

    func release() {
        lock.lock()
        users -= 1
        if users == 0 && fd >= 0 { close(fd); fd = -1 }
        lock.unlock()
    }

    /// Bytes of output dropped since the last record that reached the file, and why.
    private var lostBytes = 0
    private var lostErrno: Int32 = 0

    /// Whole records at a time (one or more lines), so stdout and stderr never interleave mid-line.
    /// A full disk loses records, not the container: output keeps draining, and
    /// once writes succeed again a record says how much was lost.
    func write(_ record: [UInt8]) {
        lock.lock()
        defer { lock.unlock() }
        if lostBytes > 0 {
            let note = "minipod: \(lostBytes) bytes of this container's output were not logged: \(String(cString: strerror(lostErrno)))"
            let noteRecord = CRILog.encode(line: Array(note.utf8)[...], stream: "stderr", complete: true, timestamp: CRILog.now())
            guard append(noteRecord) else { lostBytes += record.count; return }
            lostBytes = 0
        }
        if !append(record) { lostBytes += record.count }
    }

    private func append(_ record: [UInt8]) -> Bool {
        if size + record.count > maxSize && size > 0 { rotate() }
        if record.withUnsafeBytes({ FileIO.writeAll(fd, $0) }) {
            size += record.count
            return true
        }
        lostErrno = errno
        // A short write leaves part of a record: cut it off so the next record starts a line.
        _ = ftruncate(fd, off_t(size))
        return false
    }

    private func rotate() {
        rename(path, path + ".1")
        let fresh = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard fresh >= 0 else { return }
        close(fd)
        fd = fresh
        size = 0
    }
}

/// Copies one output stream of a container into its CRI log file, on its own thread.
public final class LogPump: @unchecked Sendable {
    let fd: Int32
    let stream: String
    let log: LogFile
    let hub: AttachHub?

    init(readFrom fd: Int32, stream: String, log: LogFile, hub: AttachHub? = nil) {
        self.fd = fd
        self.stream = stream
        self.log = log
        self.hub = hub
        log.retain()
    }

    public func start(onEnd: @escaping @Sendable () -> Void = {}) {
        let t = Thread { [self] in
            run()
            onEnd()
        }
        t.stackSize = 256 * 1024
        t.start()
    }

    private func run() {
        var pending: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 32 * 1024)
        while true {
            let n = read(fd, &buf, buf.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            // Attached clients get the bytes as they come, prompts without a newline included.
            if let hub { buf.withUnsafeBytes { hub.broadcast(stream == "stderr" ? .stderr : .stdout, UnsafeRawBufferPointer(rebasing: $0[0..<n])) } }
            pending += buf[0..<n]
            // Every line of one read arrived at the same moment: one timestamp and one
            // write for all of them (a write and a clock read per line made a chatty
            // container wait on its log).
            let timestamp = CRILog.now()
            var records: [UInt8] = []
            var start = 0
            while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                records += CRILog.encode(line: pending[start..<newline], stream: stream, complete: true, timestamp: timestamp)
                start = newline + 1
            }
            pending.removeFirst(start)
            if pending.count >= CRILog.maxLineSize {
                records += CRILog.encode(line: pending[...], stream: stream, complete: false, timestamp: timestamp)
                pending.removeAll()
            }
            if !records.isEmpty { log.write(records) }
        }
        if !pending.isEmpty { log.write(CRILog.encode(line: pending[...], stream: stream, complete: false, timestamp: CRILog.now())) }
        close(fd)
        log.release()
    }
}
