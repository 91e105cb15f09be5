import Foundation
import MinipodSystem
import Testing

/// PathBeneath on a real directory tree (no root needed): every way a symlink can
/// point out of the directory is refused, every way that stays inside works.
final class PathBeneathTests {
    let top = NSTemporaryDirectory() + "path-beneath-\(UUID().uuidString)"
    let base: String
    let outside: String

    deinit { try? FileManager.default.removeItem(atPath: top) }

    init() throws {
        base = top + "/volume"
        outside = top + "/outside"
        for dir in [base + "/real/deeper", outside + "/sub"] {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
    }

    func link(_ name: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: base + "/" + name, withDestinationPath: target)
    }

    /// The path the descriptor names, as the kernel reports it.
    func resolved(_ relative: String, create: Bool = false) throws -> String {
        let fd = try PathBeneath.open(relative, in: base, createDirectories: create)
        return try FileManager.default.destinationOfSymbolicLink(atPath: fd.procPath)
    }

    func expectRefused(_ relative: String, create: Bool = false, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(sourceLocation: sourceLocation) { _ = try PathBeneath.open(relative, in: base, createDirectories: create) } throws: { error in
            (error as? MinipodError)?.message.contains("leads outside") == true
        }
    }

    @Test func symlinksLeadingOutAreRefusedWhereverTheyStand() throws {
        try link("absolute", to: outside)
        try link("relative", to: "../outside")
        try link("far", to: String(repeating: "../", count: 20) + outside.dropFirst())
        try link("chain1", to: "chain2")
        try link("chain2", to: "absolute")
        try link("real/up", to: "../..")
        expectRefused("absolute")  // the last component
        expectRefused("absolute/sub")  // in the middle
        expectRefused("relative")
        expectRefused("far")
        expectRefused("chain1")
        expectRefused("real/up/outside")  // ".." through a symlink
        expectRefused("../outside")  // ".." written out
        expectRefused("absolute/new", create: true)
        #expect(!FileManager.default.fileExists(atPath: outside + "/new"), "nothing is made outside")
    }

    @Test func pathsInsideResolveAndMissingDirectoriesAreMadeInside() throws {
        try link("inside", to: "real")
        try link("absolute-looking", to: "real/deeper")
        let realBase = URL(fileURLWithPath: base).resolvingSymlinksInPath().path
        #expect(try resolved("inside") == realBase + "/real")
        #expect(try resolved("inside/deeper") == realBase + "/real/deeper")
        #expect(try resolved("") == realBase)
        #expect(throws: MinipodError.self) { try resolved("missing/dir") }
        #expect(try resolved("missing/dir", create: true) == realBase + "/missing/dir")
        #expect(try resolved("inside/made", create: true) == realBase + "/real/made")
        var st = stat()
        #expect(stat(base + "/missing/dir", &st) == 0 && st.st_mode & S_IFMT == S_IFDIR)
    }

    @Test func aDanglingSymlinkIsNotMadeIntoADirectoryOutside() throws {
        try link("dangling", to: outside + "/not-yet")
        expectRefused("dangling", create: true)
        #expect(!FileManager.default.fileExists(atPath: outside + "/not-yet"))
    }
}
