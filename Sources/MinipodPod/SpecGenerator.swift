import Foundation
import MinipodCgroups
import MinipodImage
import MinipodKube
import MinipodNet
import MinipodOCI
import MinipodRuntime
import MinipodSystem

/// Everything a container's runtime spec depends on besides the manifest.
public struct ContainerContext: Sendable {
    public var pod: Pod
    public var container: Container
    public var imageConfig: OCIImageConfig.Config?
    public var lowerDirs: [String]  // image layers, lowest first
    public var containerDir: String  // holds upper/, work/, rootfs/
    public var sandbox: Sandbox
    public var hostNetwork: Bool
    public var etcDir: String  // hosts, hostname, resolv.conf
    public var volumeDirs: [String: String]  // volume name → host directory
    public var podIP: String?
    public var passwd: String?  // the image's /etc/passwd, for User by name
    /// What a privileged container gets: the host's bounding set and device nodes.
    public var hostCapabilities: [String] = HostCapabilities.bounding
    public var hostDevices: [RuntimeSpec.Device] = []
    /// `hostUsers: false`: the pod's block of host IDs; its containers join the pod's user namespace.
    public var idRange: IDRange? = nil
}

/// Manifest + image → OCI runtime spec (pure: unit tested without root).
public enum SpecGenerator {
    public static func spec(for c: ContainerContext) throws -> RuntimeSpec {
        let container = c.container
        let field = fieldPath(c)
        var spec = RuntimeSpec()

        let env = environment(c)
        let envMap = Dictionary(env.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
        let args = resolveCommand(
            command: container.command, args: container.args,
            imageEntrypoint: c.imageConfig?.Entrypoint, imageCmd: c.imageConfig?.Cmd,
            environment: envMap)
        guard !args.isEmpty else {
            throw MinipodError(
                .invalidManifest, "no command: the image has no Entrypoint or Cmd and the container sets no command", field: field + ".command")
        }

        var process = RuntimeSpec.Process()
        process.args = args
        process.env = env.map { "\($0.name)=\($0.value)" }
        try checkExecLimits(args: args, env: process.env ?? [], container: container, field: field)
        process.cwd = container.workingDir ?? nonEmpty(c.imageConfig?.WorkingDir) ?? "/"
        process.user = try user(c, field: field)
        process.terminal = container.tty == true  // the supervisor gives it a pty (ContainerStdio)
        let security = container.securityContext
        let privileged = security?.privileged == true
        let caps = capabilities(
            privileged: privileged, add: security?.capabilities?.add ?? [], drop: security?.capabilities?.drop ?? [],
            host: c.hostCapabilities)
        var capabilities = RuntimeSpec.Capabilities()
        capabilities.bounding = caps
        capabilities.effective = caps
        capabilities.permitted = caps
        process.capabilities = capabilities
        process.noNewPrivileges = security?.allowPrivilegeEscalation == false
        process.rlimits = [RuntimeSpec.Rlimit(type: "RLIMIT_NOFILE", hard: 1_048_576, soft: 1_048_576)]
        spec.process = process

        spec.root = RuntimeSpec.Root(path: c.containerDir + "/rootfs", readonly: security?.readOnlyRootFilesystem == true)
        spec.annotations = [MinipodAnnotations.overlayRootfs: overlayOptions(c)]
        let volumes = try volumeMounts(c, environment: envMap, field: field)
        spec.mounts = DefaultProfile.mounts() + podFileMounts(c) + volumes.map(\.mount)
        for volume in volumes where volume.subPath != nil {
            spec.annotations![MinipodAnnotations.subPathVolume(volume.mount.destination)] = volume.directory
        }

        var linux = RuntimeSpec.Linux()
        linux.namespaces = [.init(type: "pid"), .init(type: "mount"), .init(type: "cgroup"), .init(type: "ipc", path: c.sandbox.ipc)]
        // hostNetwork pods use the host's network and UTS namespaces (hostname = node name), as in
        // Kubernetes: a namespace the spec does not list is the runtime's own.
        if !c.hostNetwork {
            linux.namespaces! += [.init(type: "network", path: c.sandbox.netns), .init(type: "uts", path: c.sandbox.uts)]
        }
        if let range = c.idRange {
            // One user namespace for the pod, made with the sandbox and owning its other
            // namespaces (Kubernetes: the pod's, shared by all its containers).
            linux.namespaces!.insert(.init(type: "user", path: c.sandbox.user), at: 0)
            let mapping = RuntimeSpec.IDMapping(containerID: 0, hostID: range.base, size: range.size)
            linux.uidMappings = [mapping]
            linux.gidMappings = [mapping]
        }
        if privileged {
            // containerd's privileged: the host's devices, all of them allowed, /sys writable.
            linux.devices = c.hostDevices
            spec.mounts = spec.mounts?.map { m in
                var m = m
                if m.type == "sysfs" { m.options?.removeAll { $0 == "ro" } }
                return m
            }
        } else {
            linux.maskedPaths = DefaultProfile.maskedPaths
            linux.readonlyPaths = DefaultProfile.readonlyPaths
            let seccompType = security?.seccompProfile?.type ?? c.pod.spec.securityContext?.seccompProfile?.type
            if seccompType != "Unconfined" { linux.seccomp = DefaultProfile.seccomp(capabilities: caps) }
        }
        linux.resources = resources(container)
        if privileged { linux.resources?.devices = [.init(allow: true, access: "rwm")] }
        spec.linux = linux
        return spec
    }

    /// containerd's rule: privileged gets all the host has; otherwise the defaults, then
    /// ALL in add gives every capability and ALL in drop none, then the named adds, then
    /// the named drops (so drop [ALL] add [NET_ADMIN] is NET_ADMIN alone). Only what the
    /// host's bounding set holds can be given.
    static func capabilities(privileged: Bool, add: [String], drop: [String], host: [String]) -> [String] {
        if privileged { return host }
        let adds = add.map(capName)
        let drops = drop.map(capName)
        var caps = DefaultProfile.capabilities
        if adds.contains("CAP_ALL") { caps = DefaultProfile.allCapabilities }
        if drops.contains("CAP_ALL") { caps = [] }
        for name in adds where name != "CAP_ALL" && !caps.contains(name) { caps.append(name) }
        caps.removeAll { drops.contains($0) }
        return caps.filter { host.contains($0) }
    }

    static func capName(_ k8sName: String) -> String {
        let upper = k8sName.uppercased()
        return upper.hasPrefix("CAP_") ? upper : "CAP_" + upper
    }

    static func fieldPath(_ c: ContainerContext) -> String {
        if let i = c.pod.spec.initContainers?.firstIndex(where: { $0.name == c.container.name }) {
            return "spec.initContainers[\(i)]"
        }
        let i = c.pod.spec.containers.firstIndex { $0.name == c.container.name } ?? 0
        return "spec.containers[\(i)]"
    }

    /// Image Env first, then the container's env (overriding by name), HOSTNAME as containerd sets it.
    static func environment(_ c: ContainerContext) -> [(name: String, value: String)] {
        var result: [(name: String, value: String)] = []
        var position: [String: Int] = [:]  // a search of `result` per variable was quadratic in the count
        func set(_ name: String, _ value: String) {
            if let i = position[name] {
                result[i].value = value
            } else {
                position[name] = result.count
                result.append((name, value))
            }
        }
        for entry in c.imageConfig?.Env ?? [] {
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            set(String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }
        if position["PATH"] == nil {
            set("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
        }
        set("HOSTNAME", PodHostname.of(c.pod))
        let pod = c.pod
        let fields: (String) -> String? = { path in
            switch path {
            case "metadata.name": return pod.metadata.name
            case "metadata.namespace": return pod.metadata.namespace ?? "default"
            case "metadata.uid": return pod.metadata.uid
            case "spec.nodeName": return pod.spec.nodeName ?? hostName()
            case "spec.serviceAccountName": return "default"
            case "status.podIP", "status.podIPs": return c.podIP
            case "status.hostIP", "status.hostIPs": return "127.0.0.1"
            default:
                if path.hasPrefix("metadata.labels['"), let key = path.split(separator: "'").dropFirst().first {
                    return pod.metadata.labels?[String(key)]
                }
                if path.hasPrefix("metadata.annotations['"), let key = path.split(separator: "'").dropFirst().first {
                    return pod.metadata.annotations?[String(key)]
                }
                return nil
            }
        }
        for (name, value) in containerEnvironment(c.container.env ?? [], fieldValue: fields) { set(name, value) }
        return result
    }

    static func hostName() -> String {
        var buf = [CChar](repeating: 0, count: 256)
        gethostname(&buf, buf.count)
        return String(cString: buf)
    }

    /// runAsUser/runAsGroup win over the image's User ("uid", "uid:gid", "name", "name:group").
    static func user(_ c: ContainerContext, field: String) throws -> RuntimeSpec.User {
        var user = RuntimeSpec.User()
        if let imageUser = nonEmpty(c.imageConfig?.User) {
            let parts = imageUser.split(separator: ":", maxSplits: 1).map(String.init)
            if let uid = UInt32(parts[0]) {
                user.uid = uid
                user.gid = passwdEntry(c.passwd, matching: { $0[2] == parts[0] }).flatMap { UInt32($0[3]) } ?? 0
            } else if let entry = passwdEntry(c.passwd, matching: { $0[0] == parts[0] }), let uid = UInt32(entry[2]), let gid = UInt32(entry[3]) {
                user.uid = uid
                user.gid = gid
            } else {
                throw MinipodError(.invalidManifest, "image user \"\(parts[0])\" is not in the image's /etc/passwd", field: field + ".image")
            }
            if parts.count == 2, let gid = UInt32(parts[1]) { user.gid = gid }
        }
        let podSecurity = c.pod.spec.securityContext
        let security = c.container.securityContext
        if let uid = security?.runAsUser ?? podSecurity?.runAsUser { user.uid = UInt32(uid) }
        if let gid = security?.runAsGroup ?? podSecurity?.runAsGroup { user.gid = UInt32(gid) }
        if (security?.runAsNonRoot ?? podSecurity?.runAsNonRoot) == true && user.uid == 0 {
            throw MinipodError(
                .invalidManifest, "container has runAsNonRoot and image will run as root", field: field + ".securityContext.runAsNonRoot")
        }
        var groups = (podSecurity?.supplementalGroups ?? []).map { UInt32($0) }
        if let fsGroup = podSecurity?.fsGroup { groups.append(UInt32(fsGroup)) }
        if !groups.isEmpty { user.additionalGids = groups }
        return user
    }

    static func passwdEntry(_ passwd: String?, matching: ([String]) -> Bool) -> [String]? {
        for line in (passwd ?? "").split(separator: "\n") {
            let fields = line.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            if fields.count >= 4 && matching(fields) { return fields }
        }
        return nil
    }

    static func overlayOptions(_ c: ContainerContext) -> String {
        // overlayfs lists the upper-most lower layer first.
        let lower = c.lowerDirs.reversed().joined(separator: ":")
        return "lowerdir=\(lower),upperdir=\(c.containerDir)/upper,workdir=\(c.containerDir)/work"
    }

    static func podFileMounts(_ c: ContainerContext) -> [RuntimeSpec.Mount] {
        let mounted = Set((c.container.volumeMounts ?? []).map(\.mountPath))
        return ["hosts", "hostname", "resolv.conf"].compactMap { name in
            let destination = "/etc/" + name
            if mounted.contains(destination) { return nil }
            return RuntimeSpec.Mount(destination: destination, type: "bind", source: c.etcDir + "/" + name, options: ["rbind", "rprivate"])
        }
    }

    struct VolumeBinding {
        var mount: RuntimeSpec.Mount
        var directory: String
        /// Inside `directory`, as the manifest gives it (subPathExpr expanded); nil: the whole volume.
        var subPath: String?
    }

    /// Each volumeMount as a bind mount; a subPath (or an expanded subPathExpr, with the
    /// container's environment as kubelet expands it) is checked here lexically, and
    /// resolved inside the volume only by VolumeSubPaths and init, on descriptors.
    static func volumeMounts(_ c: ContainerContext, environment: [String: String], field: String) throws -> [VolumeBinding] {
        try (c.container.volumeMounts ?? []).enumerated().map { index, mount in
            let mountField = "\(field).volumeMounts[\(index)]"
            guard let directory = c.volumeDirs[mount.name] else {
                throw MinipodError(.invalidManifest, "volume \"\(mount.name)\" not found", field: mountField + ".name")
            }
            var subPath = nonEmpty(mount.subPath)
            if let expression = nonEmpty(mount.subPathExpr) {
                let expanded = expandVariables(expression, environment)
                if let problem = subPathProblem(expanded) {
                    throw MinipodError(.invalidManifest, "expands to \"\(expanded)\", which \(problem)", field: mountField + ".subPathExpr")
                }
                subPath = nonEmpty(expanded)
            }
            var options = ["rbind", "rprivate"]
            if mount.readOnly == true { options.append("ro") }
            let source = subPath.map { directory + "/" + $0 } ?? directory
            return VolumeBinding(
                mount: RuntimeSpec.Mount(destination: mount.mountPath, type: "bind", source: source, options: options),
                directory: directory, subPath: subPath)
        }
    }

    static func resources(_ container: Container) -> RuntimeSpec.Resources {
        let limits = container.resources?.limits ?? [:]
        let requests = container.resources?.requests ?? [:]
        var r = RuntimeSpec.Resources()
        // Every unprivileged pod container may open only the default device nodes.
        r.devices = Cgroup.defaultDeviceRules
        if let memory = limits["memory"].flatMap(Quantity.init) { r.memory = .init(limit: memory.bytes) }
        var cpu = RuntimeSpec.Resources.CPU()
        if let limit = limits["cpu"].flatMap(Quantity.init) {
            cpu.period = 100_000
            cpu.quota = max(1000, limit.millis * 100)
        }
        // kubelet's MilliCPUToShares: requests (or the limit when no request) → shares, minimum 2.
        if let request = (requests["cpu"] ?? limits["cpu"]).flatMap(Quantity.init) {
            cpu.shares = UInt64(max(2, request.millis * 1024 / 1000))
        }
        if cpu.period != nil || cpu.shares != nil { r.cpu = cpu }
        if let pids = defaultPidsLimit { r.pids = .init(limit: pids) }
        return r
    }

    /// Processes per container: podman's default of 2048, so a fork bomb in one
    /// container cannot exhaust the host's pids (kubelet leaves this to
    /// --pod-max-pids). MINIPOD_PIDS_LIMIT changes it; 0 or less: no limit.
    static var defaultPidsLimit: Int64? {
        let configured = ProcessInfo.processInfo.environment["MINIPOD_PIDS_LIMIT"].flatMap { Int64($0) } ?? 2048
        return configured > 0 ? configured : nil
    }

    /// execve's limits, checked before anything starts: one string of at most
    /// 128 KiB (MAX_ARG_STRLEN), and all of them within 1 MiB (the kernel allows a
    /// quarter of the stack limit; minipod's init protocol carries at most 1 MiB).
    static let maxArgumentBytes = 128 * 1024
    static let maxTotalBytes = 1024 * 1024

    static func checkExecLimits(args: [String], env: [String], container: Container, field: String) throws {
        if let long = env.first(where: { $0.utf8.count >= maxArgumentBytes }) {
            let name = String(long.prefix { $0 != "=" })
            let fromManifest = container.env?.contains { $0.name == name } == true
            throw MinipodError(
                .invalidManifest, "environment variable \(name) is \(long.utf8.count) bytes; the kernel takes at most 128 KiB per variable",
                field: field + (fromManifest ? ".env" : ".image"))
        }
        if args.contains(where: { $0.utf8.count >= maxArgumentBytes }) {
            throw MinipodError(.invalidManifest, "an argument is longer than the kernel's 128 KiB per argument", field: field + ".args")
        }
        let total = (args + env).reduce(0) { $0 + $1.utf8.count + 1 }
        if total > maxTotalBytes {
            throw MinipodError(
                .invalidManifest,
                "command and environment take \(total) bytes; at most 1 MiB is supported (\(env.count) variables, image Env included)",
                field: field + ".env")
        }
    }

    static func nonEmpty(_ s: String?) -> String? { (s?.isEmpty ?? true) ? nil : s }
}
