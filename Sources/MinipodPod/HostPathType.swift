import Glibc
import MinipodKube
import MinipodSystem

/// A hostPath volume's `type`, checked and acted on before any container starts,
/// as kubelet's hostPath plugin does (its messages included).
enum HostPathType {
    enum Action: Equatable {
        case use
        case createDirectory
        case createFile
        case refuse(String)
    }

    /// What to do for `type` given what the host has at the path (its S_IFMT bits, nil: nothing).
    static func action(type: String?, existing: mode_t?, path: String) -> Action {
        func expect(_ wanted: mode_t, _ what: String, orCreate: Action? = nil) -> Action {
            guard let existing else { return orCreate ?? .refuse("hostPath type check failed: \(path) is not \(what)") }
            return existing == wanted ? .use : .refuse("hostPath type check failed: \(path) is not \(what)")
        }
        switch type ?? "" {
        case "DirectoryOrCreate": return expect(S_IFDIR, "a directory", orCreate: .createDirectory)
        case "Directory": return expect(S_IFDIR, "a directory")
        case "FileOrCreate": return expect(S_IFREG, "a file", orCreate: .createFile)
        case "File": return expect(S_IFREG, "a file")
        case "Socket": return expect(S_IFSOCK, "a socket file")
        case "CharDevice": return expect(S_IFCHR, "a character device")
        case "BlockDevice": return expect(S_IFBLK, "a block device")
        default: return .use  // "": no check, whatever is there (or nothing) is bound
        }
    }

    /// Checks the volume's path and creates it where its type says so: a directory 0755
    /// (with its parents), an empty file 0644 (its directory must exist, as in kubelet).
    static func prepare(_ volume: Volume) throws {
        guard let source = volume.hostPath else { return }
        var st = stat()
        let existing: mode_t? = stat(source.path, &st) == 0 ? st.st_mode & S_IFMT : nil
        let failure = { (message: String) in
            MinipodError(.invalidManifest, "MountVolume.SetUp failed for volume \"\(volume.name)\" : \(message)")
        }
        switch action(type: source.type, existing: existing, path: source.path) {
        case .use:
            return
        case .refuse(let message):
            throw failure(message)
        case .createDirectory:
            do { try FileIO.makeDirectories(source.path, mode: 0o755) } catch let e as MinipodError { throw failure("\(e)") }
        case .createFile:
            let fd = open(source.path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
            if fd < 0 && errno != EEXIST { throw failure("\(MinipodError.sys("create \(source.path)"))") }
            if fd >= 0 {
                fchmod(fd, 0o644)
                close(fd)
            }
        }
    }
}
