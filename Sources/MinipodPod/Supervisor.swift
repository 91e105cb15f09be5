import CMinipod
import Foundation
import MinipodCgroups
import MinipodImage
import MinipodKube
import MinipodNet
import MinipodOCI
import MinipodRuntime
import MinipodSystem

/// One per pod, detached from the CLI (like conmon / containerd-shim): sets up
/// the sandbox, runs init containers then main containers in spec order,
/// reaps them, restarts them per restartPolicy, writes logs and status, and
/// on SIGTERM stops the pod with its grace period and removes everything.
public final class Supervisor {
    let paths: PodPaths
    let store: PodStore
    let key: String
    /// Built once: the idle loop stats it every few seconds.
    let statePath: String
    var pod: Pod
    var runtime: PodRuntimeInfo
    var slots: [ContainerSlot] = []
    /// The next main container, created while the one before it settles; started in its turn.
    var precreated: [Int: CreatedContainer] = [:]
    var images: [String: Image] = [:]
    var launcher: ContainerLauncher { ContainerLauncher(sharedSeccompCache: paths.seccompCache) }
    let layout = CgroupLayout.detect()
    let signals: FDPipe
    var stopRequested = false
    /// SIGUSR1 from `apply`: state.json has new container images.
    var specChanged = false
    var startTime = KubeTime.now()
    var transitions: [String: String] = [:]
    /// CNI ADD (or the netlink setup) under way: its result is the pod IP.
    var network: BackgroundTask<String?>?
    /// The status last written to state.json: an idle pod's loop writes (and reads) nothing.
    var writtenStatus: PodStatus?
    /// state.json's identity when deletionRequested() last decoded it (or writeStatus wrote it), and what it said.
    var checkedState: (version: StateFileVersion, deleting: Bool)?
    /// File-backed resident bytes right after the last ResidentCode.release().
    var fileBackedAfterRelease: Int?
    /// supervisor.sock, where `minipod attach` connects (-1 until set up).
    var listener: Int32 = -1
    let attachRegistry = AttachRegistry()
    /// The time decisions are made at (PodActions); a parameter so they can be tested.
    var clock: () -> Date = Date.init

    /// Where `minipod run` waits to hear why the pod could not start (-1: nobody waits).
    var reportFD: Int32

    public init(paths: PodPaths, key: String, reportFD: Int32 = -1) throws {
        self.reportFD = reportFD
        self.paths = paths
        self.store = PodStore(paths: paths)
        self.key = key
        self.statePath = paths.statePath(key)
        self.pod = try store.loadPod(key)
        self.runtime = try store.loadRuntime(key)
        self.signals = try FDPipe.make()
        _ = fcntl(signals.read, F_SETFL, O_NONBLOCK)
        _ = fcntl(signals.write, F_SETFL, O_NONBLOCK)
        if mp_signal_pipe(signals.write) != 0 || mp_signal_pipe_add(SIGUSR1) != 0 { throw MinipodError.sys("install signal handlers") }
        for c in pod.spec.initContainers ?? [] {
            slots.append(ContainerSlot(container: c, kind: c.restartPolicy == "Always" ? .sidecar : .initContainer))
        }
        for c in pod.spec.containers { slots.append(ContainerSlot(container: c, kind: .main)) }
    }

    /// Runs until the pod is deleted. Returns the process exit code.
    public func run() -> Int32 {
        if isTakingOver {
            do { try takeOver() } catch {
                failTakeOver(error)
                return 1
            }
        } else {
            do {
                try setUp()
                precreateFirst()
                try finishNetwork()
                try updateRuntime { $0.sandboxReady = true }
            } catch {
                return setUpFailed(error)
            }
        }
        writeStatus()
        running: while true {
            advance()
            writeStatus()
            // EOF on the report pipe wakes a waiting `minipod run` now, not at its next poll of the state.
            if reportFD >= 0 && podEverRunning {
                close(reportFD)
                reportFD = -1
            }
            let timer = nextTimer()
            // A pod with an exec probe every second pays for it (its spawn code faults
            // back each period): 12 ms of supervisor CPU per second instead of 7.6 here,
            // for an RSS of 5.8 MiB instead of 17. At the default 10 s period it is a tenth.
            if (timer ?? Self.idleWake) >= 0.25 { releaseCodeIfGrown() }
            if let timeout = timer {
                waitForEvent(timeout: timeout)
            } else {
                // No timer pending and nothing woke the loop: the pod is as it was, and
                // an idle pod only looks for a deletion mark (its status is not rebuilt).
                while !waitForEvent(timeout: Self.idleWake) {
                    if deletionRequested() { break running }
                    releaseCodeIfGrown()
                }
            }
            reap()
            runDueProbes()
            if specChanged {
                specChanged = false
                applySpecChange()
            }
            killOverdueStops()
            // Written before the next starts, so watchers see e.g. PodInitializing between init and main containers.
            writeStatus()
            if stopRequested || deletionRequested() { break }
        }
        let grace = (try? store.loadPod(key))?.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30
        stopAll(grace: grace)
        do {
            try PodTeardown(paths: paths).run(key: key, uid: runtime.uid)
        } catch {
            log("teardown: \(error)")
            return 1
        }
        return 0
    }

    private func setUpFailed(_ error: Error) -> Int32 {
        _ = try? network?.value()  // CNI DEL below must not race a running ADD
        log("setup failed: \(error)")
        reportSetupError("\(error)")
        stopAll(grace: 0)
        try? PodTeardown(paths: paths).run(key: key)
        return 1
    }

    /// Tells a waiting `minipod run` why the pod failed before it ever ran
    /// (the state directory may be gone by the time it looks).
    func reportSetupError(_ message: String) {
        try? updateRuntime { $0.setupError = message }
        guard reportFD >= 0 else { return }
        FileIO.writeAll(reportFD, message + "\n")
        close(reportFD)
        reportFD = -1
    }

    /// Changes runtime.json and the supervisor's own copy alike, so probes and stop read current pids.
    func updateRuntime(_ change: (inout PodRuntimeInfo) -> Void) throws {
        change(&runtime)
        try store.updateRuntime(key, change)
    }

    func log(_ message: String) {
        FileHandle.standardError.write(Data("\(KubeTime.now()) \(message)\n".utf8))
    }

    // MARK: setup

    private func setUp() throws {
        runtime.supervisorPid = getpid()
        try store.save(runtime)
        let hostname = PodHostname.of(pod)
        let hostNetwork = pod.spec.hostNetwork == true
        let sandbox = PodTeardown(paths: paths).sandbox(key)
        if pod.spec.hostUsers == false {
            // Leased before anything is made with it, and saved: teardown releases it by the pod's uid.
            let range = try IDRangeLeases(directory: paths.idRangeLeases).allocate(owner: runtime.uid)
            runtime.idRange = range
            try store.save(runtime)
            // Containers bind /etc/hosts and co. from etc/ in the run directory (0700) while they are
            // the pod's root, which is no host root: its group may pass through, list nothing; nobody else.
            let runDir = paths.runDir(key)
            if chown(runDir, 0, range.base) != 0 || chmod(runDir, 0o710) != 0 {
                throw MinipodError.sys("let the pod's root group (host gid \(range.base)) through \(runDir)")
            }
        }
        try sandbox.create(hostname: hostname, hostNetwork: hostNetwork, idMap: runtime.idRange?.mapLine)
        FaultInjection.point("supervisor-after-sandbox")
        if !hostNetwork {
            let cni = CNI(configDir: paths.cniConfig, stateDir: paths.root + "/cni")
            runtime.netns = sandbox.netns
            try store.save(runtime)
            let (uid, netns) = (runtime.uid, sandbox.netns)
            let mappings = runtime.portMappings.map {
                CNI.PortMapping(hostPort: $0.hostPort, containerPort: $0.containerPort, protocol: $0.protocol, hostIP: $0.hostIP)
            }
            // The plugins run while the first container is created; see finishNetwork.
            switch runtime.network ?? .cni {
            case .none:
                break  // loopback only, up since the sandbox was made
            case .netlink:
                network = BackgroundTask { try NetlinkNetwork(cni: cni).add(containerID: uid, netns: netns) }
            case .cni:
                network = BackgroundTask { try cni.add(containerID: uid, netns: netns, portMappings: mappings) }
            }
        }
        try writePodFiles(hostname: hostname)
        try createVolumes()
        FaultInjection.point("supervisor-after-volumes")
        try listenForClients()
        for slot in slots where images[slot.container.image] == nil {
            images[slot.container.image] = try ImageStore(root: paths.root).resolve(slot.container.image)
        }
        // Every layer is in one store on one filesystem: one is enough to learn that the
        // kernel and that filesystem can ID-map, before any container is made.
        if runtime.idRange != nil, let layer = images.values.lazy.compactMap(\.layerDirectories.first).first {
            try IDMappedRootfs.check(layer: layer, userNamespace: sandbox.user)
        }
        try store.save(runtime)
    }

    /// Waits for the pod network (no container starts before it, as kubelet's
    /// sandbox comes first) and puts the pod IP where containers read it:
    /// runtime.json and /etc/hosts, rewritten in place so the bind mount of an
    /// already created container shows it.
    private func finishNetwork() throws {
        if let task = network {
            runtime.podIP = try task.value()
            network = nil
            try writePodFiles(hostname: PodHostname.of(pod))
            try store.save(runtime)
        }
        // After the pod's address exists, so its local route is covered too; before any
        // container runs, so none of their connections is made paced. An optimisation
        // only: where the kernel refuses it (some or all of) the pod's loopback stays paced,
        // as under Kubernetes; every route is still there.
        if let netns = runtime.netns, pod.spec.hostNetwork != true {
            do { try LoopbackPacing.unpacePodLocalRoutes(netns: netns) } catch {
                log("W pod loopback stays paced: \(error)")
            }
        }
        FaultInjection.point("supervisor-after-cni")
    }

    private func writePodFiles(hostname: String) throws {
        let etc = paths.etcDir(key)
        try FileIO.makeDirectories(etc)
        let aliases = (pod.spec.hostAliases ?? []).map { (ip: $0.ip, hostnames: $0.hostnames ?? []) }
        let ip = pod.spec.hostNetwork == true ? nil : runtime.podIP
        var names = hostname
        if let subdomain = pod.spec.subdomain {
            names = "\(hostname).\(subdomain).\(pod.metadata.namespace ?? "default").svc.cluster.local\t\(hostname)"
        }
        try FileIO.write(etc + "/hosts", PodFiles.hosts(podIP: ip, hostname: names, aliases: aliases))
        try FileIO.write(etc + "/hostname", hostname + "\n")
        let dns = pod.spec.dnsConfig
        try FileIO.write(
            etc + "/resolv.conf",
            PodFiles.resolvConf(
                nameservers: dns?.nameservers, searches: dns?.searches,
                options: dns?.options?.map { o in o.value.map { "\(o.name ?? ""):\($0)" } ?? (o.name ?? "") }))
    }

    /// hostPath: its type checked (and the path made, for the ...OrCreate types).
    /// emptyDir: one directory per pod, shared by every container that mounts it
    /// (medium Memory: one tmpfs for the pod). Never pre-filled from an image.
    private func createVolumes() throws {
        for volume in pod.spec.volumes ?? [] { try HostPathType.prepare(volume) }
        for volume in pod.spec.volumes ?? [] where volume.emptyDir != nil {
            let dir = paths.volumeDir(uid: runtime.uid, volume: volume.name)
            try FileIO.makeDirectories(dir)
            chmod(dir, 0o777)
            // New and empty: owned by the pod's root, so it is a directory of the pod's own
            // (what a container writes there is owned by the pod's host IDs either way).
            if let range = runtime.idRange, chown(dir, range.base, range.base) != 0 {
                throw MinipodError.sys("chown the emptyDir \(dir) to the pod's root (host uid \(range.base))")
            }
            if volume.emptyDir?.medium == "Memory" {
                var data = "mode=1777"
                if let range = runtime.idRange { data += ",uid=\(range.base),gid=\(range.base)" }
                if let limit = volume.emptyDir?.sizeLimit.flatMap(Quantity.init) { data += ",size=\(limit.bytes)" }
                try Sys.mount(source: "tmpfs", target: dir, type: "tmpfs", flags: [.noSuid, .noDev], data: data)
            }
        }
    }

    func volumeDirectories() -> [String: String] {
        var result: [String: String] = [:]
        for volume in pod.spec.volumes ?? [] {
            if volume.emptyDir != nil { result[volume.name] = paths.volumeDir(uid: runtime.uid, volume: volume.name) }
            if let hostPath = volume.hostPath?.path { result[volume.name] = hostPath }
        }
        return result
    }

    // MARK: the loop

    /// Seconds until the next restart, SIGKILL or probe is due (at most idleWake); nil when none is.
    private func nextTimer() -> TimeInterval? {
        PodActions.wakeIn(slots, now: clock(), longest: Self.idleWake)
    }

    /// Start-up, restarts, probes and clients run code that a sleeping supervisor
    /// does not: before it sleeps for a quarter second or more (starting containers
    /// one after another never sleeps that long, so a start is not slowed by faults), it
    /// lets go of its code pages if they grew by this much since it last did
    /// (see ResidentCode). What it runs next faults back in from the page cache.
    static let residentCodeGrowth = 2 << 20

    private func releaseCodeIfGrown() {
        guard let bytes = ResidentCode.fileBackedBytes(),
            bytes > (fileBackedAfterRelease ?? 0) + Self.residentCodeGrowth
        else { return }
        ResidentCode.release()
        _ = mp_malloc_trim()  // and the heap pages that start-up freed
        fileBackedAfterRelease = ResidentCode.fileBackedBytes()
    }

    /// How often a pod with nothing due wakes to look for a deletion mark.
    static let idleWake: TimeInterval = 5

    /// Returns false when the timeout passed with no signal and no client.
    @discardableResult
    private func waitForEvent(timeout: TimeInterval) -> Bool {
        var fds = [
            pollfd(fd: signals.read, events: Int16(POLLIN), revents: 0),
            pollfd(fd: listener, events: Int16(POLLIN), revents: 0),
        ]
        if poll(&fds, 2, Int32(timeout * 1000)) == 0 { return false }
        if fds[1].revents != 0 { acceptClients() }
        var buf = [UInt8](repeating: 0, count: 64)
        while true {
            let n = read(signals.read, &buf, buf.count)
            if n <= 0 { break }
            for sig in buf[0..<n] {
                if Int32(sig) == SIGTERM || Int32(sig) == SIGINT || Int32(sig) == SIGHUP { stopRequested = true }
                if Int32(sig) == SIGUSR1 { specChanged = true }
            }
        }
        return true
    }

    /// `delete` marks state.json and sends SIGTERM; this finds the mark should the
    /// signal be missed. The file is decoded again only when it was replaced
    /// (every save renames a new file in), so the idle loop costs one stat(2).
    private func deletionRequested() -> Bool {
        let version = StateFileVersion(path: statePath)
        if let checked = checkedState, let version, checked.version == version { return checked.deleting }
        // The pod was torn down under us (by `run` giving up on it, or by hand): nothing left to supervise.
        if version == nil && !FileIO.exists(statePath) && !FileIO.exists(paths.runDir(key)) { return true }
        let deleting = (try? store.loadPod(key))?.metadata.deletionTimestamp != nil
        if let version { checkedState = (version, deleting) }
        return deleting
    }

    func reap() {
        for i in slots.indices {
            guard let pid = slots[i].pid, let status = try? Spawn.wait(pid, options: WNOHANG) else { continue }
            containerExited(i, status: status)
        }
    }

    /// Starts whatever should run now, in Kubernetes order.
    private func advance() {
        if stopRequested { return }
        for i in PodActions.containersToStart(slots, now: clock()) { start(i) }
    }

    var podFailed: Bool { PodActions.podFailed(slots) }
}
