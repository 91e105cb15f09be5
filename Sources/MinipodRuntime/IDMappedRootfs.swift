import Glibc
import MinipodSystem

/// The overlay rootfs of a container in a pod's user namespace, made by the host as a
/// detached mount: each image layer cloned (open_tree) and ID-mapped through the pod's
/// user namespace, the overlay built on those layers by descriptor (fsconfig lowerdir+),
/// and the result handed to minipod-init, which moves it onto the rootfs inside its own
/// mount namespace. The layers are neither copied nor chown'ed, the host's mount table
/// never holds any of it, and only the host can ID-map (it needs CAP_SYS_ADMIN over the
/// layers' filesystem, which the pod's root has not).
public enum IDMappedRootfs {
    /// What overlayfs is told, from the `lowerdir=…,upperdir=…,workdir=…` that SpecGenerator writes.
    public struct Layers: Equatable, Sendable {
        /// Upper-most first, as in lowerdir=.
        public var lower: [String]
        public var upper: String
        public var work: String

        public init(lower: [String], upper: String, work: String) {
            self.lower = lower
            self.upper = upper
            self.work = work
        }
    }

    public static func layers(fromOverlayOptions options: String) throws -> Layers {
        var values: [String: String] = [:]
        for option in options.split(separator: ",") {
            let pair = option.split(separator: "=", maxSplits: 1).map(String.init)
            if pair.count == 2 { values[pair[0]] = pair[1] }
        }
        guard let lower = values["lowerdir"], let upper = values["upperdir"], let work = values["workdir"] else {
            throw MinipodError(.runtime, "overlay options \"\(options)\" lack lowerdir, upperdir or workdir")
        }
        return Layers(lower: lower.split(separator: ":").map(String.init), upper: upper, work: work)
    }

    /// The detached overlay mount (close-on-exec); the caller passes it on and closes it.
    public static func make(_ layers: Layers, userNamespace: String) throws -> Int32 {
        let userns = open(userNamespace, O_RDONLY | O_CLOEXEC)
        if userns < 0 { throw refusal(MinipodError.sys("open the pod's user namespace \(userNamespace)")) }
        defer { close(userns) }
        var lowerFDs: [Int32] = []
        defer { lowerFDs.forEach { close($0) } }
        do {
            for dir in layers.lower { lowerFDs.append(try mappedLayer(dir, userns: userns)) }
            let fs = try Sys.openFilesystem("overlay")
            defer { close(fs) }
            for (dir, fd) in zip(layers.lower, lowerFDs) { try Sys.configureFilesystem(fs, "lowerdir+", descriptor: fd, what: dir) }
            try Sys.configureFilesystem(fs, "upperdir", layers.upper)
            try Sys.configureFilesystem(fs, "workdir", layers.work)
            return try Sys.mountFilesystem(fs, what: "overlay rootfs")
        } catch let e as MinipodError {
            throw refusal(e)
        }
    }

    /// Whether this kernel and the layers' filesystem can do it: one layer ID-mapped and
    /// given to an overlay by descriptor, checked once per pod before any container, so a
    /// host that cannot is told at `run` with nothing left behind.
    public static func check(layer: String, userNamespace: String) throws {
        let userns = open(userNamespace, O_RDONLY | O_CLOEXEC)
        if userns < 0 { throw refusal(MinipodError.sys("open the pod's user namespace \(userNamespace)")) }
        defer { close(userns) }
        do {
            let fd = try mappedLayer(layer, userns: userns)
            defer { close(fd) }
            let fs = try Sys.openFilesystem("overlay")
            defer { close(fs) }
            try Sys.configureFilesystem(fs, "lowerdir+", descriptor: fd, what: layer)
        } catch let e as MinipodError {
            throw refusal(e)
        }
    }

    static func mappedLayer(_ dir: String, userns: Int32) throws -> Int32 {
        try FaultInjection.failure("idmap-layer", errno: EINVAL, what: "ID-map the mount of \(dir) (mount_setattr MOUNT_ATTR_IDMAP)")
        let fd = try Sys.cloneMount(dir)
        do { try Sys.setIDMap(mount: fd, userNamespace: userns, what: dir) } catch {
            close(fd)
            throw error
        }
        return fd
    }

    /// The error a pod gets: which field asked for this, what failed and what it needs.
    static func refusal(_ e: MinipodError) -> MinipodError {
        MinipodError(
            .runtime,
            "false needs ID-mapped image layers (Linux 6.13+ and a layer filesystem that supports ID-mapped mounts, such as ext4, xfs, btrfs or tmpfs): \(e.message)",
            field: "spec.hostUsers", errno: e.errno)
    }
}
