import Glibc
import MinipodOCI
import MinipodSystem

/// Builds the container's filesystem view inside its new mount namespace:
/// rootfs mount, spec mounts in order, /dev, pivot_root, masked and read-only paths.
struct RootfsBuilder {
    let spec: RuntimeSpec
    let rootPath: String
    /// Mounts copied from the host are locked there: remounts must keep their flags, and mknod is refused.
    let inUserNamespace: Bool

    /// Devices every container gets (runtime-spec "default devices"), bound from the host.
    static let defaultDevices = ["null", "zero", "full", "random", "urandom", "tty"]

    func build() throws {
        let propagation: Sys.MountFlags = spec.linux?.rootfsPropagation == "rslave" ? [.recursive, .slave] : [.recursive, .private]
        try Sys.mount(source: nil, target: "/", type: nil, flags: propagation)

        if let overlay = spec.annotations?[MinipodAnnotations.overlayRootfs] {
            try Sys.mount(source: "overlay", target: rootPath, type: "overlay", flags: [], data: overlay)
        } else {
            try Sys.mount(source: rootPath, target: rootPath, type: nil, flags: [.bind, .recursive])
        }

        var devIsTmpfs = false
        for (index, m) in (spec.mounts ?? []).enumerated() {
            do {
                try mount(m)
            } catch let e as MinipodError {
                throw MinipodError(e.code, e.message, field: "mounts[\(index)] (\(m.destination))", errno: e.errno)
            }
            if m.destination == "/dev" && m.type == "tmpfs" { devIsTmpfs = true }
        }
        if devIsTmpfs { try populateDev() }
        for (index, device) in (spec.linux?.devices ?? []).enumerated() {
            do { try DeviceNodes(inUserNamespace: inUserNamespace).create(device, rootPath: rootPath) } catch let e as MinipodError {
                throw MinipodError(e.code, e.message, field: "linux.devices[\(index)] (\(device.path))", errno: e.errno)
            }
        }

        try pivot()
    }

    /// No mount namespace (runc's behaviour too): nothing is mounted, the caller's mount
    /// table stays as it is; the process only gets the bundle's root as its /.
    func changeRootWithoutMounts() throws {
        guard chdir(rootPath) == 0 else { throw MinipodError.sys("chdir \(rootPath)") }
        guard chroot(".") == 0 else { throw MinipodError.sys("chroot \(rootPath)") }
        guard chdir("/") == 0 else { throw MinipodError.sys("chdir /") }
    }

    /// After hostname and sysctls (runc's order): /proc/sys turns read-only here.
    func finish() throws {
        for path in spec.linux?.maskedPaths ?? [] { try mask(path) }
        for path in spec.linux?.readonlyPaths ?? [] { try makeReadOnly(path) }
        if spec.root?.readonly == true {
            try bindRemount("/", [.readOnly])
        }
    }

    private func mount(_ m: RuntimeSpec.Mount) throws {
        let parsed = MountOptions(m.options ?? [])
        let isBind = m.type == "bind" || parsed.flags.contains(.bind)
        let target = try secureJoin(root: rootPath, m.destination)
        let source = m.source ?? m.type ?? "none"

        if m.type == "cgroup" {
            try FileIO.makeDirectories(target)
            try CgroupMount.mount(on: target, flags: parsed.flags)
        } else if isBind {
            guard FileIO.exists(source) else {
                throw MinipodError(.runtime, "bind source \(source) does not exist", errno: ENOENT)
            }
            try makeTarget(target, like: source)
            try Sys.mount(source: source, target: target, type: nil, flags: parsed.flags.intersection([.bind, .recursive]).union(.bind))
            let remountFlags = parsed.flags.subtracting([.bind, .recursive]).subtracting(parsed.propagation)
            if !remountFlags.isEmpty {
                try bindRemount(target, remountFlags)
            }
        } else {
            try FileIO.makeDirectories(target)
            let data = parsed.data.isEmpty ? nil : parsed.data.joined(separator: ",")
            do {
                try Sys.mount(source: source, target: target, type: m.type, flags: parsed.flags.subtracting(parsed.propagation), data: data)
            } catch let e as MinipodError where m.type == "sysfs" && e.errno == EPERM {
                // Without a new network namespace sysfs cannot be mounted; bind the host's read-only (runc does the same).
                try Sys.mount(source: "/sys", target: target, type: nil, flags: [.bind, .recursive])
                try bindRemount(target, [.readOnly, .noSuid, .noDev, .noExec])
            }
        }
        if !parsed.propagation.isEmpty {
            try Sys.mount(source: nil, target: target, type: nil, flags: parsed.propagation)
        }
    }

    private func makeTarget(_ target: String, like source: String) throws {
        if FileIO.isDirectory(source) {
            try FileIO.makeDirectories(target)
        } else if !FileIO.exists(target) {
            try FileIO.makeDirectories(parentDirectory(target))
            let fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
            if fd < 0 { throw MinipodError.sys("create mount target \(target)") }
            close(fd)
        }
    }

    private func populateDev() throws {
        let dev = try secureJoin(root: rootPath, "/dev")
        for name in Self.defaultDevices {
            let target = dev + "/" + name
            try makeTarget(target, like: "/dev/" + name)
            try Sys.mount(source: "/dev/" + name, target: target, type: nil, flags: [.bind])
        }
        let links = [("/proc/self/fd", "fd"), ("/proc/self/fd/0", "stdin"), ("/proc/self/fd/1", "stdout"),
                     ("/proc/self/fd/2", "stderr"), ("pts/ptmx", "ptmx"), ("/proc/kcore", "core")]
        for (target, name) in links where !FileIO.exists(dev + "/" + name) {
            if symlink(target, dev + "/" + name) != 0 { throw MinipodError.sys("symlink /dev/\(name)") }
        }
    }

    /// pivot_root(".", ".") then detach the old root: no directory of the host stays reachable.
    private func pivot() throws {
        guard chdir(rootPath) == 0 else { throw MinipodError.sys("chdir \(rootPath)") }
        try Sys.pivotRoot(newRoot: ".", putOld: ".")
        try Sys.mount(source: nil, target: ".", type: nil, flags: [.recursive, .slave])
        try Sys.unmount(".", detach: true)
        guard chdir("/") == 0 else { throw MinipodError.sys("chdir /") }
    }

    private func mask(_ path: String) throws {
        guard FileIO.exists(path) else { return }
        if FileIO.isDirectory(path) {
            try Sys.mount(source: "tmpfs", target: path, type: "tmpfs", flags: [.readOnly], data: "size=0")
        } else {
            try Sys.mount(source: "/dev/null", target: path, type: nil, flags: [.bind])
        }
    }

    private func makeReadOnly(_ path: String) throws {
        guard FileIO.exists(path) else { return }
        try Sys.mount(source: path, target: path, type: nil, flags: [.bind, .recursive])
        try bindRemount(path, [.readOnly, .recursive, .noSuid, .noDev, .noExec])
    }

    /// MS_BIND|MS_REMOUNT with `flags`; in a user namespace also with the flags the mount
    /// already has, which the kernel locked when it copied the host's mounts (EPERM otherwise).
    private func bindRemount(_ target: String, _ flags: Sys.MountFlags) throws {
        var all = flags.union([.bind, .remount])
        if inUserNamespace { all.formUnion(try Sys.mountFlags(of: target)) }
        try Sys.mount(source: nil, target: target, type: nil, flags: all)
    }
}

public func parentDirectory(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
    return String(path[..<slash])
}
