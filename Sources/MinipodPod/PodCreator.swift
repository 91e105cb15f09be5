import Foundation
import MinipodImage
import MinipodKube
import MinipodSystem

/// The CLI side of `minipod run` / `apply`: validate, check images, write the
/// pod's first state, start its supervisor, and (for run) wait until Running.
public struct PodCreator {
    public let paths: PodPaths
    public let store: PodStore
    /// The minipod binary; the pod's supervisor (minipod-supervisor) is installed beside it.
    public var executable: String
    /// `--network`: none and netlink refuse hostPorts (they need the portmap plugin).
    public var network = PodNetworkMode.cni
    /// Image pull progress and warnings (stderr in the CLI).
    public var report: (String) -> Void = { _ in }

    public init(paths: PodPaths, executable: String) {
        self.paths = paths
        self.store = PodStore(paths: paths)
        self.executable = executable
    }

    /// Checks a pod is runnable before anything is created: nothing is left behind on error.
    public func prepare(_ input: Pod, namespace: String?) throws -> Pod {
        var pod = input
        if let namespace, pod.metadata.namespace == nil { pod.metadata.namespace = namespace }
        PodDefaults.apply(to: &pod)
        try PodValidator.validate(pod)
        var images = ImagePullPolicy(store: ImageStore(root: paths.root), report: report)
        for (field, container) in Self.containerFields(pod) {
            let policy = container.imagePullPolicy ?? PodDefaults.pullPolicy(for: container.image)
            do { try images.ensure(container.image, policy: policy) } catch let e as MinipodError {
                throw e.located(at: field + ".image")
            }
            if container.envFrom != nil {
                throw MinipodError(
                    .invalidManifest, "envFrom is not supported by minipod (no ConfigMaps or Secrets on one node)", field: field + ".envFrom")
            }
        }
        try checkHostPorts(pod)
        if network != .cni {
            if pod.spec.hostNetwork == true {
                throw MinipodError(
                    .invalidManifest, "hostNetwork: true cannot be combined with --network \(network.rawValue)", field: "spec.hostNetwork")
            }
            if let field = Self.firstHostPortField(pod) {
                let why = network == .none ? "hostPort needs a network" : "hostPort needs the CNI portmap plugin"
                throw MinipodError(.invalidManifest, "\(why); it cannot be used with --network \(network.rawValue)", field: field + ".ports")
            }
        }
        return pod
    }

    /// Each container with its field path (spec.initContainers[0], spec.containers[1], ...).
    static func containerFields(_ pod: Pod) -> [(String, Container)] {
        (pod.spec.initContainers ?? []).enumerated().map { ("spec.initContainers[\($0)]", $1) }
            + pod.spec.containers.enumerated().map { ("spec.containers[\($0)]", $1) }
    }

    /// The field path of the first container that asks for a host port.
    static func firstHostPortField(_ pod: Pod) -> String? {
        containerFields(pod).first { ($0.1.ports ?? []).contains { ($0.hostPort ?? 0) > 0 } }?.0
    }

    /// Two pods cannot both hold a host port (the kube-scheduler would not place them together).
    func checkHostPorts(_ pod: Pod) throws {
        // Other pods' runtime.json are read only for a pod that asks for a host port.
        guard Self.firstHostPortField(pod) != nil else { return }
        var taken: [String: String] = [:]
        for key in store.keys() {
            guard let other = try? store.loadRuntime(key) else { continue }
            for m in other.portMappings { taken["\(m.hostPort)/\(m.protocol)"] = PodStore.name(fromKey: key) }
        }
        for (field, container) in Self.containerFields(pod) {
            for (i, port) in (container.ports ?? []).enumerated() {
                guard let hostPort = port.hostPort, hostPort > 0 else { continue }
                if let owner = taken["\(hostPort)/\(port.protocol ?? "TCP")"] {
                    throw MinipodError(
                        .alreadyExists, "host port \(hostPort)/\(port.protocol ?? "TCP") is already used by pod \(owner)",
                        field: "\(field).ports[\(i)].hostPort")
                }
            }
        }
    }

    /// A started pod: its key, and the pipe on which its supervisor reports a failed start.
    public struct Started {
        public let key: String
        /// The pod's name: a long one's key holds only its start (PodPaths.key).
        public let name: String
        let report: Int32

        /// Nobody waits for the pod to run (apply, the API server): the supervisor's reports go nowhere.
        public func close() { Glibc.close(report) }
    }

    /// Writes the state and starts the supervisor.
    public func start(_ prepared: Pod) throws -> Started {
        var pod = prepared
        let key = PodPaths.key(namespace: pod.metadata.namespace, name: pod.metadata.name)
        do { try store.reserve(key) } catch let error as MinipodError where error.code == .alreadyExists {
            // The store names the pod from its key, which for a long name holds only its start.
            throw MinipodError.podAlreadyExists(pod.metadata.name)
        }
        // Held until the supervisor runs: the garbage collector leaves a pod alone while someone creates it.
        return try FileLock.withExclusiveIfPossible(paths.lockPath(key)) { try create(&pod, key: key) }
    }

    private func create(_ pod: inout Pod, key: String) throws -> Started {
        FaultInjection.point("run-after-reserve")
        do {
            let uid = UUID().uuidString.lowercased()
            pod.metadata.uid = uid
            pod.metadata.creationTimestamp = KubeTime.now()
            pod.metadata.resourceVersion = "0"
            if pod.spec.nodeName == nil { pod.spec.nodeName = SpecGenerator.hostName() }
            // What kubelet reports before anything ran: Init:0/N for pods with init containers, else ContainerCreating.
            let hasInit = !(pod.spec.initContainers ?? []).isEmpty
            let waiting = ContainerState(waiting: ContainerStateWaiting(reason: hasInit ? "PodInitializing" : "ContainerCreating"))
            pod.status = PodStatus(
                phase: "Pending",
                initContainerStatuses: hasInit
                    ? pod.spec.initContainers!.map { ContainerStatus(name: $0.name, state: waiting, image: $0.image) } : nil,
                containerStatuses: pod.spec.containers.map { ContainerStatus(name: $0.name, state: waiting, image: $0.image) })
            var runtime = PodRuntimeInfo(key: key, uid: uid, hostNetwork: pod.spec.hostNetwork == true)
            if network != .cni { runtime.network = network }
            for (_, container) in Self.containerFields(pod) {
                for port in container.ports ?? [] where (port.hostPort ?? 0) > 0 {
                    runtime.portMappings.append(
                        PortMappingInfo(
                            hostPort: port.hostPort!, containerPort: port.containerPort,
                            protocol: port.protocol ?? "TCP", hostIP: port.hostIP))
                }
            }
            try store.save(pod, key: key)
            try store.save(runtime)
            FaultInjection.point("run-after-state")
            let report = try FDPipe.make()
            do { _ = try SupervisorProcess(paths: paths, executable: executable).spawn(key: key, report: report.write) } catch {
                close(report.read)
                close(report.write)
                throw error
            }
            close(report.write)
            _ = fcntl(report.read, F_SETFL, O_NONBLOCK)
            FaultInjection.point("run-after-spawn")
            return Started(key: key, name: pod.metadata.name, report: report.read)
        } catch {
            try? PodTeardown(paths: paths).run(key: key)
            throw error
        }
    }

    /// Waits until the pod runs (or ran to completion); a pod that failed to
    /// start is removed and its error thrown.
    public func waitUntilRunning(_ started: Started, timeout: TimeInterval = 120) throws -> Pod {
        let key = started.key
        defer { close(started.report) }
        let deadline = Date().addingTimeInterval(timeout)
        var buf = [UInt8](repeating: 0, count: 4096)
        var reportOpen = true
        while Date() < deadline {
            let runtime = try? store.loadRuntime(key)
            let n = read(started.report, &buf, buf.count)
            if n == 0 { reportOpen = false }
            let reported = n > 0 ? String(decoding: buf[0..<n], as: UTF8.self).trimmingCharacters(in: .newlines) : nil
            if let error = reported ?? runtime?.setupError {
                if store.exists(key) { try? PodDeleter(paths: paths).delete(key: key, grace: 0) }
                throw MinipodError(.runtime, "pod \(started.name) failed to start: \(error) (the pod was removed)")
            }
            if let pod = try? store.loadPod(key), let phase = pod.status?.phase, ["Running", "Succeeded", "Failed"].contains(phase) {
                return pod
            }
            if let pid = runtime?.supervisorPid, !Signals.isAlive(pid), store.exists(key) {
                let log = (try? FileIO.readString(paths.supervisorLog(key))) ?? ""
                try? PodTeardown(paths: paths).run(key: key)
                throw MinipodError(.runtime, "pod \(started.name): supervisor exited: \(log.suffix(500))")
            }
            if !store.exists(key) {
                throw MinipodError(.runtime, "pod \(started.name) was removed while starting")
            }
            // The supervisor writes an error to the report pipe or closes it once the pod runs
            // (or when it dies: it holds the only write end). Until then there is nothing to
            // read, and re-reading the state every few ms took CPU from the start on small hosts;
            // the long timeout only bounds how late a removal by another command is seen.
            if reportOpen {
                var fd = pollfd(fd: started.report, events: Int16(POLLIN), revents: 0)
                _ = poll(&fd, 1, 200)
            } else {
                usleep(5000)
            }
        }
        throw MinipodError(.runtime, "pod \(started.name) did not reach Running within \(Int(timeout))s; see `minipod describe pod`")
    }
}
