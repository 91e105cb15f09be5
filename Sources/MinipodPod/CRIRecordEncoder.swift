import Glibc

/// Turns a stream's bytes, as they come in reads of any size, into CRI log
/// records (CRILog's format): each complete line one `F` record, a line longer
/// than 16 KiB split into `P` records ending in an `F`, and an unfinished line
/// carried to the next read (or written as `P` records once it reaches 16 KiB).
/// A container writing 300 MB as fast as it can makes millions of lines: each
/// is appended with one prefix copied from a per-read buffer and a memchr, no
/// array or string per line, so the supervisor's pump keeps up at a fraction
/// of a core.
struct CRIRecordEncoder {
    let stream: String
    /// The start of a line that has no newline yet.
    private(set) var pending: [UInt8] = []

    init(stream: String) { self.stream = stream }

    /// Appends the records of `bytes` (read at `timestamp`) to `out`.
    mutating func encode(_ bytes: UnsafeRawBufferPointer, timestamp: String, into out: inout [UInt8]) {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), !bytes.isEmpty else { return }
        let full = Array("\(timestamp) \(stream) F ".utf8)
        var start = 0
        while start < bytes.count, let hit = memchr(base + start, Int32(UInt8(ascii: "\n")), bytes.count - start) {
            let newline = UnsafeRawPointer(hit).assumingMemoryBound(to: UInt8.self) - base
            let line = UnsafeBufferPointer(start: base + start, count: newline - start)
            if pending.isEmpty && line.count <= CRILog.maxLineSize {
                out.append(contentsOf: full)
                out.append(contentsOf: line)
                out.append(UInt8(ascii: "\n"))
            } else {
                pending.append(contentsOf: line)
                out += CRILog.encode(line: pending[...], stream: stream, complete: true, timestamp: timestamp)
                pending.removeAll(keepingCapacity: true)
            }
            start = newline + 1
        }
        pending.append(contentsOf: UnsafeBufferPointer(start: base + start, count: bytes.count - start))
        if pending.count >= CRILog.maxLineSize {
            out += CRILog.encode(line: pending[...], stream: stream, complete: false, timestamp: timestamp)
            pending.removeAll(keepingCapacity: true)
        }
    }

    /// The unfinished line at the end of the stream, as `P` records.
    mutating func finish(timestamp: String, into out: inout [UInt8]) {
        guard !pending.isEmpty else { return }
        out += CRILog.encode(line: pending[...], stream: stream, complete: false, timestamp: timestamp)
        pending.removeAll()
    }
}
