import CMinipod
import Glibc
import MinipodOCI
import MinipodSystem

/// linux.devices: nodes made in the container's /dev before pivot_root.
struct DeviceNodes {
    /// mknod is refused there: the host's node at the same path is bound instead (as runc).
    let inUserNamespace: Bool
    let syscalls: any Syscalls

    func create(_ device: RuntimeSpec.Device, rootPath: String) throws {
        guard device.path.hasPrefix("/dev/"), !device.path.split(separator: "/").contains("..") else {
            throw MinipodError(.invalidArgument, "a device path must be below /dev, not \(device.path)")
        }
        let typeBits: mode_t
        switch device.type {
        case "c", "u": typeBits = S_IFCHR
        case "b": typeBits = S_IFBLK
        case "p": typeBits = S_IFIFO
        default: throw MinipodError(.invalidArgument, "type must be c, u, b or p, not \"\(device.type)\"")
        }
        if typeBits != S_IFIFO && (device.major == nil || device.minor == nil) {
            throw MinipodError(.invalidArgument, "a \(device.type) device needs major and minor numbers")
        }
        let target = try secureJoin(root: rootPath, device.path)
        try syscalls.makeDirectories(parentDirectory(target))
        if syscalls.pathExists(target) { try reported(as: "replace \(target)") { try syscalls.removeFile(target) } }
        if inUserNamespace {
            try bindHostNode(device.path, to: target)
            return
        }
        let number = typeBits == S_IFIFO ? 0 : dev_t(mp_makedev(UInt32(device.major!), UInt32(device.minor!)))
        let permissions = mode_t(device.fileMode ?? 0o666) & 0o7777
        try syscalls.makeNode(target, mode: typeBits | permissions, device: number)
        // mknod's mode passes through the umask; the spec's mode is exact.
        try syscalls.changeMode(target, permissions)
        try syscalls.changeOwner(target, uid: device.uid ?? 0, gid: device.gid ?? 0)
    }

    private func bindHostNode(_ path: String, to target: String) throws {
        guard syscalls.pathExists(path) else {
            throw MinipodError(.notFound, "in a user namespace devices are bound from the host, which has no \(path)")
        }
        try syscalls.createFile(target)
        try syscalls.mount(source: path, target: target, type: nil, flags: [.bind], data: nil)
    }
}
