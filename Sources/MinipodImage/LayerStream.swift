import CMinipod
import Foundation
import MinipodSystem

/// Feeds a layer blob to `tar -x` through a pipe, decompressed by gzip or zstd
/// by its magic bytes, counting what goes through: a layer whose content is
/// larger than the limit is a tar bomb (a few KiB of gzip can stand for
/// terabytes of zeros) and is stopped there, before it fills the disk.
enum LayerStream {
    /// MINIPOD_MAX_LAYER_SIZE (bytes), default 16 GiB uncompressed per layer.
    static var maxUncompressedSize: Int {
        ProcessInfo.processInfo.environment["MINIPOD_MAX_LAYER_SIZE"].flatMap(Int.init) ?? 16 << 30
    }

    static func extract(blob: String, tarArguments: [String], into directory: String, scratch: String) throws {
        let limit = maxUncompressedSize
        var children: [pid_t] = []
        var openFDs: [Int32] = []
        defer {
            openFDs.forEach { close($0) }
            for pid in children {
                kill(pid, SIGKILL)
                _ = try? Spawn.wait(pid)
            }
        }
        let input: Int32
        if let decompressor = try decompressor(for: blob) {
            let pipe = try FDPipe.make()
            openFDs += [pipe.read]
            var request = SpawnRequest(path: decompressor[0], arguments: decompressor + [blob], environment: Environment.current())
            request.stdout = pipe.write
            do { children.append(try Spawn.start(request)) } catch {
                close(pipe.write)
                throw error
            }
            close(pipe.write)
            input = pipe.read
        } else {
            input = open(blob, O_RDONLY | O_CLOEXEC)
            if input < 0 { throw MinipodError.sys("open layer \(blob)") }
            openFDs += [input]
        }
        let errorPath = scratch + "/tar-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).err"
        let errorFD = open(errorPath, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        if errorFD < 0 { throw MinipodError.sys("open \(errorPath)") }
        unlink(errorPath)
        openFDs += [errorFD]
        let toTar = try FDPipe.make()
        var tarRequest = SpawnRequest(
            path: "/bin/tar", arguments: ["tar"] + tarArguments + ["-x", "-f", "-", "-C", directory],
            environment: Environment.current())
        tarRequest.stdin = toTar.read
        tarRequest.stderr = errorFD
        do { children.append(try Spawn.start(tarRequest)) } catch {
            close(toTar.read)
            close(toTar.write)
            throw error
        }
        close(toTar.read)
        var total = 0
        var tooBig = false
        while true {
            let n = mp_splice(input, toTar.write, 1 << 20)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }  // end of the layer, or tar stopped reading (its status says why)
            total += n
            if total > limit {
                tooBig = true
                break
            }
        }
        close(toTar.write)
        if tooBig {
            throw MinipodError(.imageError, "layer \(blob) unpacks to more than \(limit) bytes (MINIPOD_MAX_LAYER_SIZE): refused as a tar bomb")
        }
        let statuses = children.map { (try? Spawn.wait($0)) ?? nil }
        children = []
        if let decompress = statuses.dropLast().first, decompress != .exited(0) {
            throw MinipodError(.imageError, "cannot decompress layer \(blob): the archive is damaged or truncated")
        }
        guard statuses.last == .exited(0) else {
            var message = [UInt8](repeating: 0, count: 300)
            let got = pread(errorFD, &message, message.count, 0)
            throw MinipodError(.imageError, "cannot unpack layer \(blob): \(String(decoding: message.prefix(max(0, got)), as: UTF8.self))")
        }
    }

    /// gzip or zstd by their magic numbers; nil for a plain tar.
    static func decompressor(for blob: String) throws -> [String]? {
        let fd = open(blob, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw MinipodError.sys("open layer \(blob)") }
        defer { close(fd) }
        var magic = [UInt8](repeating: 0, count: 4)
        let n = read(fd, &magic, 4)
        if n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b { return ["/bin/gzip", "-dc"] }
        if n == 4 && magic == [0x28, 0xb5, 0x2f, 0xfd] {
            guard let zstd = ["/usr/bin/zstd", "/bin/zstd"].first(where: FileIO.exists) else {
                throw MinipodError(.imageError, "layer \(blob) is zstd-compressed: install zstd (`apt-get install zstd`)")
            }
            return [zstd, "-dcq"]
        }
        return nil
    }
}
