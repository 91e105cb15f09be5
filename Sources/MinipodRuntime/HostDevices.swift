import CMinipod
import Glibc
import MinipodOCI

/// The host's device nodes, for a privileged container's /dev (containerd's
/// WithDevices over runc's HostDevices): every character and block device under
/// /dev, but not what /dev's own mounts hold (pts, shm, mqueue) nor the nodes
/// every container gets bound from the host anyway.
public enum HostDevices {
    static let skippedDirectories: Set<String> = ["pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts", ".udev"]
    /// console is the container's own terminal; ptmx is the link to its devpts instance.
    static let skippedFiles: Set<String> = ["console", "ptmx"]

    public static func list(under directory: String = "/dev", excluding: Set<String> = []) -> [RuntimeSpec.Device] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var devices: [RuntimeSpec.Device] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." { continue }
            let path = directory + "/" + name
            var st = stat()
            guard lstat(path, &st) == 0 else { continue }
            switch st.st_mode & S_IFMT {
            case S_IFDIR where !skippedDirectories.contains(name):
                devices += list(under: path, excluding: excluding)
            case S_IFCHR, S_IFBLK:
                if skippedFiles.contains(name) || excluding.contains(path) { continue }
                var device = RuntimeSpec.Device(
                    path: path, type: (st.st_mode & S_IFMT) == S_IFBLK ? "b" : "c",
                    major: Int64(mp_major(UInt(st.st_rdev))), minor: Int64(mp_minor(UInt(st.st_rdev))))
                device.fileMode = UInt32(st.st_mode & 0o7777)
                device.uid = st.st_uid
                device.gid = st.st_gid
                devices.append(device)
            default:
                continue
            }
        }
        return devices.sorted { $0.path < $1.path }
    }
}
