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
    /// The rootfs the launcher made as a detached mount (ID-mapped layers), to move onto rootPath.
    var rootfsMount: Int32? = nil
    let syscalls: any Syscalls

    func build() throws {
        let propagation: Sys.MountFlags = spec.linux?.rootfsPropagation == "rslave" ? [.recursive, .slave] : [.recursive, .private]
        try syscalls.mount(source: nil, target: "/", type: nil, flags: propagation, data: nil)

        if let rootfsMount {
            try reported(as: "attach the rootfs the launcher ID-mapped on \(rootPath)") { try syscalls.moveMount(rootfsMount, to: rootPath) }
        } else if let overlay = spec.annotations?[MinipodAnnotations.overlayRootfs] {
            try syscalls.mount(source: "overlay", target: rootPath, type: "overlay", flags: [], data: overlay)
        } else {
            try syscalls.mount(source: rootPath, target: rootPath, type: nil, flags: [.bind, .recursive], data: nil)
        }

        var devIsTmpfs = false
        for (index, m) in (spec.mounts ?? []).enumerated() {
            do {
                try mount(m)
            } catch let e as MinipodError {
                throw e.located(at: "mounts[\(index)] (\(m.destination))")
            }
            if m.destination == "/dev" && m.type == "tmpfs" { devIsTmpfs = true }
        }
        if devIsTmpfs { try populateDev() }
        for (index, device) in (spec.linux?.devices ?? []).enumerated() {
            do { try DeviceNodes(inUserNamespace: inUserNamespace, syscalls: syscalls).create(device, rootPath: rootPath) } catch let e
                as MinipodError
            {
                throw e.located(at: "linux.devices[\(index)] (\(device.path))")
            }
        }

        // A missing working directory is made, as runc does (Kubernetes' workingDir need not exist in the image).
        if let cwd = spec.process?.cwd, cwd != "/" { try syscalls.makeDirectories(cwd, inRoot: rootPath) }
        try pivot()
    }

    /// No mount namespace (runc's behaviour too): nothing is mounted, the caller's mount
    /// table stays as it is; the process only gets the bundle's root as its /.
    func changeRootWithoutMounts() throws {
        try syscalls.chdir(rootPath)
        try reported(as: "chroot \(rootPath)") { try syscalls.chroot(".") }
        try syscalls.chdir("/")
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
            try syscalls.makeDirectories(target)
            try CgroupMount(syscalls: syscalls).mount(on: target, flags: parsed.flags)
        } else if isBind, let volume = spec.annotations?[MinipodAnnotations.subPathVolume(m.destination)], source.hasPrefix(volume + "/") {
            let subPath = String(source.dropFirst(volume.count + 1))
            try syscalls.withPathBeneath(subPath, in: volume) { resolved in try bind(resolved, on: target, parsed) }
        } else if isBind {
            guard syscalls.pathExists(source) else {
                throw MinipodError(.runtime, "bind source \(source) does not exist", errno: ENOENT)
            }
            try bind(source, on: target, parsed)
        } else {
            try syscalls.makeDirectories(target)
            let data = parsed.data.isEmpty ? nil : parsed.data.joined(separator: ",")
            do {
                try syscalls.mount(source: source, target: target, type: m.type, flags: parsed.flags.subtracting(parsed.propagation), data: data)
            } catch let e as MinipodError where m.type == "sysfs" && e.errno == EPERM {
                // Without a new network namespace sysfs cannot be mounted; bind the host's read-only (runc does the same).
                try syscalls.mount(source: "/sys", target: target, type: nil, flags: [.bind, .recursive], data: nil)
                try bindRemount(target, [.readOnly, .noSuid, .noDev, .noExec])
            }
        }
        if !parsed.propagation.isEmpty {
            try syscalls.mount(source: nil, target: target, type: nil, flags: parsed.propagation, data: nil)
        }
    }

    private func bind(_ source: String, on target: String, _ parsed: MountOptions) throws {
        try makeTarget(target, like: source)
        try syscalls.mount(source: source, target: target, type: nil, flags: parsed.flags.intersection([.bind, .recursive]).union(.bind), data: nil)
        let remountFlags = parsed.flags.subtracting([.bind, .recursive]).subtracting(parsed.propagation)
        if !remountFlags.isEmpty {
            try bindRemount(target, remountFlags)
        }
    }

    private func makeTarget(_ target: String, like source: String) throws {
        if syscalls.isDirectory(source) {
            try syscalls.makeDirectories(target)
        } else if !syscalls.pathExists(target) {
            try syscalls.makeDirectories(parentDirectory(target))
            try reported(as: "create mount target \(target)") { try syscalls.createFile(target) }
        }
    }

    private func populateDev() throws {
        let dev = try secureJoin(root: rootPath, "/dev")
        for name in RuntimeSpec.defaultDeviceNames {
            let target = dev + "/" + name
            try makeTarget(target, like: "/dev/" + name)
            try syscalls.mount(source: "/dev/" + name, target: target, type: nil, flags: [.bind], data: nil)
        }
        let links = [
            ("/proc/self/fd", "fd"), ("/proc/self/fd/0", "stdin"), ("/proc/self/fd/1", "stdout"),
            ("/proc/self/fd/2", "stderr"), ("pts/ptmx", "ptmx"), ("/proc/kcore", "core"),
        ]
        for (target, name) in links where !syscalls.pathExists(dev + "/" + name) {
            try reported(as: "symlink /dev/\(name)") { try syscalls.makeSymlink(to: target, at: dev + "/" + name) }
        }
    }

    /// pivot_root(".", ".") then detach the old root: no directory of the host stays reachable.
    private func pivot() throws {
        try syscalls.chdir(rootPath)
        try syscalls.pivotRoot(newRoot: ".", putOld: ".")
        try syscalls.mount(source: nil, target: ".", type: nil, flags: [.recursive, .slave], data: nil)
        try syscalls.unmount(".", detach: true)
        try syscalls.chdir("/")
    }

    private func mask(_ path: String) throws {
        guard syscalls.pathExists(path) else { return }
        if syscalls.isDirectory(path) {
            try syscalls.mount(source: "tmpfs", target: path, type: "tmpfs", flags: [.readOnly], data: "size=0")
        } else {
            try syscalls.mount(source: "/dev/null", target: path, type: nil, flags: [.bind], data: nil)
        }
    }

    private func makeReadOnly(_ path: String) throws {
        guard syscalls.pathExists(path) else { return }
        try syscalls.mount(source: path, target: path, type: nil, flags: [.bind, .recursive], data: nil)
        try bindRemount(path, [.readOnly, .recursive, .noSuid, .noDev, .noExec])
    }

    /// MS_BIND|MS_REMOUNT with `flags`; in a user namespace also with the flags the mount
    /// already has, which the kernel locked when it copied the host's mounts (EPERM otherwise).
    private func bindRemount(_ target: String, _ flags: Sys.MountFlags) throws {
        var all = flags.union([.bind, .remount])
        if inUserNamespace { all.formUnion(try syscalls.mountFlags(of: target)) }
        try syscalls.mount(source: nil, target: target, type: nil, flags: all, data: nil)
    }
}

public func parentDirectory(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
    return String(path[..<slash])
}
