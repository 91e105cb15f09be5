import CMinipod
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
        var text =
            pad(Int(tmValue.tm_year) + 1900, 4) + "-" + pad(Int(tmValue.tm_mon) + 1, 2) + "-" + pad(Int(tmValue.tm_mday), 2)
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
        return Record(
            timestamp: String(parts[0]), stream: String(parts[1]), partial: parts[2] == "P",
            content: parts.count == 4 ? String(parts[3]) : "")
    }
}

/// A container's log file, shared by its stdout and stderr pumps. Rotates as
/// kubelet does (LogRotation: containerLogMaxSize, containerLogMaxFiles), so a
/// chatty container cannot fill the disk.
public final class LogFile: @unchecked Sendable {
    let path: String
    let rotation: LogRotation
    private var fd: Int32
    private var size: Int
    private let lock = NSLock()
    private var users = 0

    public init(path: String, rotation: LogRotation = LogRotation(environment: ProcessInfo.processInfo.environment)) throws {
        self.path = path
        self.rotation = rotation
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        if fd < 0 { throw MinipodError.sys("open log \(path)") }
        var st = stat()
        size = fstat(fd, &st) == 0 ? Int(st.st_size) : 0
    }

    func retain() {
        lock.lock()
        users += 1
        lock.unlock()
    }

    func release() {
        lock.lock()
        users -= 1
        if users == 0 && fd >= 0 {
            close(fd)
            fd = -1
        }
        lock.unlock()
    }

    /// Bytes of output dropped since the last record that reached the file, and why.
    private var lostBytes = 0
    private var lostErrno: Int32 = 0

    /// Whole records at a time (one or more lines), so stdout and stderr never interleave mid-line.
    /// A full disk loses records, not the container: output keeps draining, and
    /// once writes succeed again a record says how much was lost.
    func write(_ records: [UInt8]) {
        lock.lock()
        defer { lock.unlock() }
        if lostBytes > 0 {
            let note = "minipod: \(lostBytes) bytes of this container's output were not logged: \(String(cString: strerror(lostErrno)))"
            let noteRecord = CRILog.encode(line: Array(note.utf8)[...], stream: "stderr", complete: true, timestamp: CRILog.now())
            guard append(noteRecord[...]) else {
                lostBytes += records.count
                return
            }
            lostBytes = 0
        }
        // A batch of records (a pump's whole read) is split at a record's end where
        // the file reaches its size limit, so no file passes it (unless one record does).
        var rest = records[...]
        while !rest.isEmpty {
            let fits = LogRotation.wholeRecords(of: rest, within: rotation.maxSize - size)
            if fits == nil && size > 0 && rotate() { continue }
            let end = fits ?? rest.firstIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? rest.endIndex
            if !append(rest[..<end]) {
                lostBytes += rest.count
                return
            }
            rest = rest[end...]
        }
    }

    private func append(_ record: ArraySlice<UInt8>) -> Bool {
        if record.withUnsafeBytes({ FileIO.writeAll(fd, $0) }) {
            size += record.count
            return true
        }
        lostErrno = errno
        // A short write leaves part of a record: cut it off so the next record starts a line.
        _ = ftruncate(fd, off_t(size))
        return false
    }

    /// Called with the lock held, after the last write to the current file: a
    /// follower that sees the rename has all of that file to read (LogFollower).
    private func rotate() -> Bool {
        for (from, to) in rotation.renames(of: path) { rename(from, to) }
        let fresh = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard fresh >= 0 else { return false }
        close(fd)
        fd = fresh
        size = 0
        return true
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

    /// How much the container's pipe holds: a container writing as fast as it
    /// can fills it while the pump writes the last batch, so each read,
    /// timestamp and write carries as much as the pump takes at once.
    static let pipeSize = 1 << 20
    /// How much the pump takes at once. Its buffers are touched only as far as
    /// output fills them and then stay, for the pump's life, the supervisor's
    /// resident memory: a quarter of the pipe, and its records (lines grow by their
    /// ~40-byte prefix), costs far less CPU than 32 KiB and stays well under 1 MiB.
    static let batchSize = 256 << 10
    static let recordsCapacity = 3 * batchSize

    private func run() {
        _ = mp_set_pipe_size(fd, Int32(Self.pipeSize))  // a pty refuses; its reads stay small anyway
        var encoder = CRIRecordEncoder(stream: stream)
        // malloc'd, not an Array: its pages are touched only as far as reads fill it,
        // so an idle container's pumps cost the supervisor no resident memory.
        let buf = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.batchSize, alignment: 16)
        defer { buf.deallocate() }
        // One allocation kept for the pump's life (emptied, never shrunk): growing and
        // freeing one per read would leave malloc's heap holding megabytes.
        var records: [UInt8] = []
        records.reserveCapacity(Self.recordsCapacity)
        while true {
            let n = read(fd, buf.baseAddress, buf.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            let bytes = UnsafeRawBufferPointer(rebasing: buf[0..<n])
            // Attached clients get the bytes as they come, prompts without a newline included.
            hub?.broadcast(stream == "stderr" ? .stderr : .stdout, bytes)
            // Every line of one read arrived at the same moment: one timestamp and one
            // write for all of them (a write and a clock read per line made a chatty
            // container wait on its log).
            encoder.encode(bytes, timestamp: CRILog.now(), into: &records)
            if !records.isEmpty { log.write(records) }
            // Only many empty lines outgrow it (each becomes a 40-byte record); then it starts over.
            if records.capacity > Self.recordsCapacity {
                records = []
                records.reserveCapacity(Self.recordsCapacity)
            } else {
                records.removeAll(keepingCapacity: true)
            }
        }
        encoder.finish(timestamp: CRILog.now(), into: &records)
        if !records.isEmpty { log.write(records) }
        close(fd)
        log.release()
    }
}
