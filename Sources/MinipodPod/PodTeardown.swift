import Foundation
import MinipodCgroups
import MinipodKube
import MinipodNet
import MinipodRuntime
import MinipodSystem

/// Removes every trace of a pod: processes, cgroups, network, namespaces,
/// mounts, volumes, logs, state. Idempotent and usable by whoever gets there
/// (the supervisor on delete, the CLI after a supervisor crash, `run` on a failed start).
public struct PodTeardown {
    public let paths: PodPaths
    public let store: PodStore

    public init(paths: PodPaths) {
        self.paths = paths
        self.store = PodStore(paths: paths)
    }

    public func run(key: String, uid knownUID: String? = nil) throws {
        let pod = try? store.loadPod(key)
        let runtime = try? store.loadRuntime(key)
        let layout = CgroupLayout.detect()
        var problems: [String] = []

        if let uid = runtime?.uid ?? pod?.metadata.uid ?? knownUID {
            problems += removeCgroups(uid: uid, layout: layout)
        }

        let cni = CNI(configDir: paths.cniConfig, stateDir: paths.root + "/cni")
        if let runtime, !runtime.hostNetwork, runtime.network == .netlink {
            if let network = try? NetlinkNetwork(cni: cni) { network.del(containerID: runtime.uid) }
        } else if let runtime, !runtime.hostNetwork, runtime.network != PodNetworkMode.none {
            do {
                try cni.del(
                    containerID: runtime.uid, netns: paths.netnsPath(key),
                    portMappings: runtime.portMappings.map {
                        CNI.PortMapping(hostPort: $0.hostPort, containerPort: $0.containerPort, protocol: $0.protocol, hostIP: $0.hostIP)
                    })
            } catch {
                problems.append("network: \(error)")
            }
        }
        sandbox(key).remove()

        let uid = runtime?.uid ?? pod?.metadata.uid ?? knownUID
        var dirs = [paths.runDir(key)]
        if let uid { dirs.append(paths.dataDir(uid: uid)) }
        unmountAll(under: dirs)
        if let uid {
            try? FileIO.removeTree(paths.dataDir(uid: uid))
            // Once its processes and files are gone, no trace of the pod holds its host IDs.
            do { try IDRangeLeases(directory: paths.idRangeLeases).release(owner: uid) } catch { problems.append("ID range lease: \(error)") }
            if let pod {
                try? FileIO.removeTree(paths.logDir(namespace: pod.metadata.namespace ?? "default", name: pod.metadata.name, uid: uid))
            }
        }
        // The state goes last: if we die before here, the next command finds the pod and finishes the job.
        do { try FileIO.removeTree(paths.runDir(key)) } catch { problems.append("\(error)") }
        // After our state is gone, so that of pods torn down together the last one to get here sees no other.
        if runtime.map(usesPodNetwork) ?? false { removeMasqueradeUnlessUsed(except: key, cni: cni) }
        if !problems.isEmpty {
            throw MinipodError(.system, "pod \(PodStore.name(fromKey: key)) not fully removed: " + problems.joined(separator: "; "))
        }
    }

    /// Every container cgroup of the pod, including ones runtime.json never heard of (a crash mid-start).
    func removeCgroups(uid: String, layout: CgroupLayout) -> [String] {
        let podCgroup = Cgroup(layout: layout, path: paths.cgroupPath(uid: uid))
        for dir in podCgroup.directories {
            for name in (try? FileIO.listDirectory(dir)) ?? [] where FileIO.isDirectory(dir + "/" + name) {
                Cgroup(layout: layout, path: paths.cgroupPath(uid: uid, container: name)).remove()
            }
        }
        podCgroup.remove()
        return podCgroup.directories.filter { FileIO.exists($0) }.map { "cgroup \($0) could not be removed" }
    }

    /// What a pod leaves when its state in /run is gone (a host reboot, or /run
    /// wiped) but /var/lib and the cgroups are not: processes, cgroups, its IPAM
    /// lease and NAT rules (CNI DEL by container id), volumes, writable layers, logs.
    public func removeOrphan(uid: String) {
        _ = removeCgroups(uid: uid, layout: CgroupLayout.detect())
        let cni = CNI(configDir: paths.cniConfig, stateDir: paths.root + "/cni")
        try? cni.del(containerID: uid, netns: "", portMappings: [])
        cni.removeMasqueradeRules(containerID: uid)
        removeMasqueradeUnlessUsed(except: "", cni: cni)
        unmountAll(under: [paths.dataDir(uid: uid)])
        try? FileIO.removeTree(paths.dataDir(uid: uid))
        try? IDRangeLeases(directory: paths.idRangeLeases).release(owner: uid)
        for name in (try? FileIO.listDirectory(paths.logs + "/pods")) ?? [] where name.hasSuffix("_" + uid) {
            try? FileIO.removeTree(paths.logs + "/pods/" + name)
        }
    }

    private func usesPodNetwork(_ runtime: PodRuntimeInfo) -> Bool {
        !runtime.hostNetwork && runtime.network != PodNetworkMode.none
    }

    /// The subnet's masquerade rule stays while another pod of the network runs. Under the
    /// rule's lock, which a starting pod takes to add it: its state exists before that.
    private func removeMasqueradeUnlessUsed(except key: String, cni: CNI) {
        guard let network = try? cni.bridgeNetwork() else { return }
        let masquerade = SubnetMasquerade(subnet: network.subnet, lockDirectory: cni.stateDir)
        masquerade.locked {
            let store = PodStore(paths: paths)
            let othersUseIt = store.keys().contains { other in
                other != key && ((try? store.loadRuntime(other)).map(usesPodNetwork) ?? true)
            }
            if !othersUseIt { masquerade.remove() }
        }
    }

    public func sandbox(_ key: String) -> Sandbox {
        Sandbox(netns: paths.netnsPath(key), uts: paths.nsDir(key) + "/uts", ipc: paths.nsDir(key) + "/ipc", user: paths.nsDir(key) + "/user")
    }

    /// Unmounts whatever is mounted below these directories (tmpfs volumes, pinned namespaces), deepest first.
    func unmountAll(under dirs: [String]) {
        guard let mountinfo = try? FileIO.readString("/proc/self/mountinfo") else { return }
        var targets: [String] = []
        for line in mountinfo.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count > 4 else { continue }
            let mountPoint = String(fields[4]).replacingOccurrences(of: "\\040", with: " ")
            if dirs.contains(where: { mountPoint == $0 || mountPoint.hasPrefix($0 + "/") }) { targets.append(mountPoint) }
        }
        for target in targets.sorted(by: { $0.count > $1.count }) { try? Sys.unmount(target, detach: true) }
    }
}
