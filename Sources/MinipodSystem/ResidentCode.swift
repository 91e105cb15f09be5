import CMinipod
import Glibc

/// A long-lived process that ran a large static binary keeps page-table
/// entries for every page of machine code it ever touched, plus the 64 KiB the
/// kernel's fault-around maps beside each fault: for the supervisor that is
/// ~12 MiB of code counted in its RSS, nearly all of it start-up code that an
/// idle pod never runs again. Dropping those entries (madvise MADV_DONTNEED on
/// the read-only executable mappings) leaves the pages in the page cache,
/// shared and reclaimable as before; code still in use faults back in from
/// there in microseconds. Writable or relocated mappings are never touched:
/// DONTNEED would throw away their private copies.
public enum ResidentCode {
    /// File-backed resident bytes (statm's third field), nil if unreadable.
    public static func fileBackedBytes() -> Int? {
        let bytes = mp_resident_file_bytes()
        return bytes < 0 ? nil : bytes
    }

    /// Drops this process's mappings of executable file pages. Returns the bytes of address space released.
    @discardableResult
    public static func release() -> Int {
        guard let maps = try? FileIO.readString("/proc/self/maps") else { return 0 }
        var released = 0
        for range in executableFileRanges(maps: maps) {
            guard let start = UnsafeMutableRawPointer(bitPattern: range.lowerBound) else { continue }
            if madvise(start, range.count, MADV_DONTNEED) == 0 { released += range.count }
        }
        return released
    }

    /// The `r-xp` ranges of /proc/self/maps that a file backs (not [vdso]): text
    /// is never written, so it holds no private copies to lose.
    static func executableFileRanges(maps: String) -> [Range<Int>] {
        maps.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, fields[1] == "r-xp", fields[5].hasPrefix("/") else { return nil }
            let bounds = fields[0].split(separator: "-")
            guard bounds.count == 2, let low = Int(bounds[0], radix: 16), let high = Int(bounds[1], radix: 16), low < high else { return nil }
            return low..<high
        }
    }
}
