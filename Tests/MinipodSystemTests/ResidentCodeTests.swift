import Testing

@testable import MinipodSystem

struct ResidentCodeTests {
    /// Only never-written file mappings may lose their page-table entries:
    /// writable data, relocated read-only data, anonymous memory and the vDSO keep theirs.
    @Test func onlyExecutableFileMappingsAreReleased() {
        let maps = """
            00400000-01b0e000 r-xp 00000000 fe:00 5309721                            /usr/bin/minipod
            01b0f000-01bbe000 r--p 0170e000 fe:00 5309721                            /usr/bin/minipod
            01bbe000-0404f000 rw-p 017bd000 fe:00 5309721                            /usr/bin/minipod
            0404f000-0413f000 rw-p 00000000 00:00 0 
            2d7d5000-2d82f000 rw-p 00000000 00:00 0                                  [heap]
            7f0000001000-7f0000002000 r-xp 00000000 fe:00 77                         /usr/lib/x86_64-linux-gnu/libc.so.6
            7f594bb50000-7f594bb52000 r-xp 00000000 00:00 0                          [vdso]
            7f594bb53000-7f594bb54000 r-xp 00000000 00:00 0 
            ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]
            """
        #expect(ResidentCode.executableFileRanges(maps: maps) == [0x400000..<0x1b0e000, 0x7f00_0000_1000..<0x7f00_0000_2000])
    }

    @Test func aPathWithSpacesIsStillAFile() {
        let maps = "00400000-00401000 r-xp 00000000 fe:00 1 /opt/my tools/minipod (deleted)\n"
        #expect(ResidentCode.executableFileRanges(maps: maps) == [0x400000..<0x401000])
    }
}
