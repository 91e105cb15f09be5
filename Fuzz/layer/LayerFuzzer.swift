import CMinipod
import Foundation
import MinipodSystem

@testable import MinipodImage

// libFuzzer harness for the Swift side of layer and archive reading (issue #9).
//
// minipod parses no tar headers itself: LayerUnpacker and ImageStore.load hand
// every archive to GNU tar (which refuses absolute and `..` member names).
// Running tar per input would leave the fuzzer at a few hundred inputs a
// second and fuzz tar, not minipod. What Swift code does with what tar wrote
// is fuzzed instead, on trees any tar archive could produce:
//   - LayerUnpacker.convertWhiteouts: `.wh.NAME` → 0/0 character device,
//     `.wh..wh..opq` → trusted.overlay.opaque, device nodes dropped;
//   - ImageStore.memberPath: the names a docker archive's manifest.json gives
//     (Config, Layers), followed through the archive's symlinks.
// Not covered: tar's header parsing and its own path checks, xattrs and
// owners that tar restores, gzip/zstd and digests while a layer streams
// (LayerStream; unit tests in MinipodImageTests/LayerStreamTests).
//
// Input: lines, the first byte of each says what the rest is; paths are raw
// bytes (any but NUL), components split at '/':
//   d PATH            directory            f PATH    empty file
//   l PATH>TARGET     symlink (any target) p PATH    fifo
//   c PATH, b PATH    character / block device; minor = length of PATH % 3 (0: an overlay whiteout)
//   m NAME            a member name for memberPath
// Run as root (CI is): mknod and trusted.* xattrs need it; without root the
// conversion throws early and covers little.
//
// A finding is a crash, an error that is not a MinipodError, or a broken promise:
//  - memberPath returns only paths whose real location is inside the archive;
//  - a conversion that succeeds leaves no `.wh.` entry (but whiteout devices), no block device and no
//    character device other than 0/0 anywhere in the layer, turns each `.wh.X`
//    into a 0/0 device X, marks each directory that had `.wh..wh..opq` opaque,
//    and changes nothing outside the layer.

private let base: String = {
    let parent = FileIO.isDirectory("/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    // A crash (and -minimize_crash, which crashes on purpose) skips the per-input cleanup:
    // remove what fuzzers that are gone left behind.
    for name in (try? FileIO.listDirectory(parent)) ?? [] where name.hasPrefix("minipod-fuzz-layer-") {
        if let pid = pid_t(name.dropFirst("minipod-fuzz-layer-".count)), kill(pid, 0) != 0, errno == ESRCH {
            try? FileIO.removeTree(parent + "/" + name)
        }
    }
    return parent + "/minipod-fuzz-layer-\(getpid())"
}()
private let maxEntries = 64

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLayer(_ start: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let layer = base + "/archive/layer"
    let outside = base + "/outside"
    try! FileIO.removeTree(base)
    try! FileIO.makeDirectories(layer)
    try! FileIO.makeDirectories(outside)
    try! FileIO.write(outside + "/keep", "canary")
    defer { try? FileIO.removeTree(base) }

    var memberNames: [String] = []
    let lines = UnsafeBufferPointer(start: start, count: size).split(separator: UInt8(ascii: "\n"))
    for line in lines.prefix(maxEntries) {
        guard let kind = line.first else { continue }
        let rest = Array(line.dropFirst().drop { $0 == UInt8(ascii: " ") })
        if kind == UInt8(ascii: "m") {
            memberNames.append(String(decoding: rest, as: UTF8.self))
        } else {
            create(kind, rest, in: layer)
        }
    }

    let archiveRoot = realPath(base + "/archive")!
    let store = ImageStore(root: base + "/store")
    for name in memberNames {
        guard let path = try? store.memberPath(base + "/archive", name, archive: "fuzz.tar") else { continue }
        let real = realPath(path)
        check(
            real.map { $0.hasPrefix(archiveRoot + "/") } ?? false,
            "memberPath(\"\(name)\") = \(path), really \(real ?? "nothing"): outside the archive \(archiveRoot)")
    }

    let before = walk(layer)
    do {
        try LayerUnpacker.convertWhiteouts(in: layer)
    } catch is MinipodError {
        checkOutsideUntouched(outside)
        return 0
    } catch {
        fail("convertWhiteouts threw \(type(of: error)), not MinipodError: \(error)")
    }
    checkOutsideUntouched(outside)
    let after = walk(layer)
    for entry in after {
        // `.wh..wh.x` whites out a lower `.wh.x`: the device it leaves is a whiteout like any other.
        check(
            !entry.name.starts(with: Array(".wh.".utf8)) || (entry.type == S_IFCHR && entry.rdev == 0),
            "\(entry.shown) is left after the conversion")
        check(entry.type != S_IFBLK, "block device \(entry.shown) is left in the layer")
        check(entry.type != S_IFCHR || entry.rdev == 0, "character device \(entry.shown) (rdev \(entry.rdev)) is left in the layer")
    }
    let afterByPath = Dictionary(after.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
    for entry in before where entry.name.starts(with: Array(".wh.".utf8)) {
        let directory = Array(entry.path.dropLast(entry.name.count + 1))
        if entry.name == Array(".wh..wh..opq".utf8) {
            check(opaqueMark(directory) == "y", "\(entry.shown) did not mark its directory opaque")
        } else {
            let hidden = directory + [UInt8(ascii: "/")] + entry.name.dropFirst(4)
            let device = afterByPath[hidden]
            check(device?.type == S_IFCHR && device?.rdev == 0, "\(entry.shown) did not become a whiteout device")
        }
    }
    return 0
}

/// Creates one entry below `root`, never through a symlink (so the fixture itself stays inside);
/// entries whose parents are not directories, or whose names the kernel refuses, are skipped.
private func create(_ kind: UInt8, _ spec: [UInt8], in root: String) {
    var pathBytes = spec
    var target: [UInt8] = []
    if kind == UInt8(ascii: "l"), let arrow = spec.firstIndex(of: UInt8(ascii: ">")) {
        pathBytes = Array(spec[..<arrow])
        target = Array(spec[(arrow + 1)...])
    }
    let components = pathBytes.split(separator: UInt8(ascii: "/")).map(Array.init)
    guard !components.isEmpty, !components.contains(where: { $0 == [0x2e] || $0 == [0x2e, 0x2e] || $0.contains(0) }) else { return }
    var path = Array(root.utf8)
    for component in components.dropLast() {
        path += [UInt8(ascii: "/")] + component
        var st = stat()
        if withCString(path, { lstat($0, &st) }) != 0 {
            guard withCString(path, { mkdir($0, 0o755) }) == 0 else { return }
        } else if (st.st_mode & S_IFMT) != S_IFDIR {
            return
        }
    }
    path += [UInt8(ascii: "/")] + components.last!
    let minor = UInt32(pathBytes.count % 3)
    switch kind {
    case UInt8(ascii: "d"): _ = withCString(path) { mkdir($0, 0o755) }
    case UInt8(ascii: "f"):
        let fd = withCString(path) { open($0, O_WRONLY | O_CREAT | O_EXCL, 0o644) }
        if fd >= 0 { close(fd) }
    case UInt8(ascii: "l"): _ = withCString(target.filter { $0 != 0 }) { t in withCString(path) { symlink(t, $0) } }
    case UInt8(ascii: "p"): _ = withCString(path) { mkfifo($0, 0o644) }
    case UInt8(ascii: "c"): _ = withCString(path) { mknod($0, S_IFCHR | 0o600, makedev(1, minor)) }
    case UInt8(ascii: "b"): _ = withCString(path) { mknod($0, S_IFBLK | 0o600, makedev(7, minor)) }
    default: break
    }
}

private func makedev(_ major: UInt32, _ minor: UInt32) -> dev_t {
    dev_t(major) << 8 | dev_t(minor)
}

private struct Entry {
    var path: [UInt8]
    var name: [UInt8]
    var type: mode_t
    var rdev: dev_t
    var shown: String { "\"\(String(decoding: path, as: UTF8.self))\"" }
}

/// Every entry below `root`, by raw name bytes (names need not be UTF-8), not following symlinks.
private func walk(_ root: String) -> [Entry] {
    var entries: [Entry] = []
    var pending = [Array(root.utf8)]
    while let directory = pending.popLast() {
        guard let dir = withCString(directory, { opendir($0) }) else { continue }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if name == [0x2e] || name == [0x2e, 0x2e] { continue }
            let path = directory + [UInt8(ascii: "/")] + name
            var st = stat()
            guard withCString(path, { lstat($0, &st) }) == 0 else { continue }
            entries.append(Entry(path: path, name: name, type: st.st_mode & S_IFMT, rdev: st.st_rdev))
            if (st.st_mode & S_IFMT) == S_IFDIR { pending.append(path) }
        }
    }
    return entries
}

private func checkOutsideUntouched(_ outside: String) {
    let entries = walk(outside)
    check(
        entries.count == 1 && entries[0].name == Array("keep".utf8) && entries[0].type == S_IFREG,
        "the conversion changed \(outside): \(entries.map(\.shown))")
    check(opaqueMark(Array(outside.utf8)) == nil, "the conversion marked \(outside) opaque")
}

private func opaqueMark(_ directory: [UInt8]) -> String? {
    var value = [UInt8](repeating: 0, count: 8)
    let length = withCString(directory) { mp_getxattr($0, "trusted.overlay.opaque", &value, value.count) }
    return length < 0 ? nil : String(decoding: value.prefix(length), as: UTF8.self)
}

private func realPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
}

private func withCString<T>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>) -> T) -> T {
    (bytes + [0]).withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) } }
}

private func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fail(message()) }
}

private func fail(_ message: String) -> Never {
    fputs("fuzz-layer: \(message)\n", stderr)
    abort()
}
