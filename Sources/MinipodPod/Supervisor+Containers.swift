import Foundation
import MinipodCgroups
import MinipodImage
import MinipodKube
import MinipodOCI
import MinipodRuntime
import MinipodSystem

extension Supervisor {
    func cgroup(for name: String) -> Cgroup {
        Cgroup(layout: layout, path: paths.cgroupPath(uid: runtime.uid, container: name))
    }

    /// Creates and starts container i; a failure is shown as kubelet shows it (see startFailed).
    func start(_ i: Int) {
        let container = slots[i].container
        let restart = slots[i].nextRun
        do {
            let started = try launch(i, restart: restart)
            slots[i].pid = started
            slots[i].countRun()
            slots[i].everStarted = true
            slots[i].startedAt = clock()
            slots[i].restartAt = nil
            slots[i].containerID = "minipod://\(runtime.uid)-\(container.name)-\(slots[i].restartCount)"
            slots[i].state = ContainerState(running: ContainerStateRunning(startedAt: KubeTime.now()))
            slots[i].resetProbes(started: clock())
            log("started container \(container.name) pid \(started)")
            event("Pulled", "Container image \"\(container.image)\" already present on machine")
            event("Created", "Created container \(container.name)")
            event("Started", "Started container \(container.name)")
            try? updateRuntime { $0.containers[container.name]?.pid = started }
            // The next container starts once this one has settled (see waitUntilSettled) and its postStart hook ran;
            // it is created meanwhile, so its set-up overlaps this one's start-up.
            precreate(after: i)
            // Settling orders the start of what comes next; a last main container
            // without a postStart hook has nothing waiting on it (the pod is Running now).
            let isLast = slots[i].kind == .main && !slots[(i + 1)...].contains { $0.kind == .main }
            if !isLast || container.lifecycle?.postStart != nil {
                waitUntilSettled(cgroup(for: container.name), pid: started)
            }
            runPostStart(i)
        } catch {
            startFailed(i, StartFailure(error, container: container.name))
        }
    }

    /// A configuration that cannot be made is tried again later, uncounted
    /// (the pod stays Pending); a container whose process did not start ended
    /// with StartError, exit code 128, and restarts per policy with back-off.
    private func startFailed(_ i: Int, _ failure: StartFailure) {
        let name = slots[i].name
        log("container \(name): \(failure.detail)")
        // `minipod run` is still waiting: it reports this and deletes the pod.
        if !podEverRunning { reportSetupError(failure.report(container: name)) }
        event("Failed", "Error: \(failure.detail)", warning: true)
        slots[i].state = ContainerState(waiting: failure.waiting)
        guard let terminated = failure.terminated(finishedAt: KubeTime.now(), containerID: "minipod://\(runtime.uid)-\(name)-\(slots[i].nextRun)")
        else {
            slots[i].restartAt = clock().addingTimeInterval(StartFailure.createConfigRetry)
            return
        }
        slots[i].countRun()
        slots[i].containerID = terminated.containerID
        // It never ran: an earlier run's start time must not reset the back-off.
        slots[i].startedAt = nil
        slots[i].state = ContainerState(terminated: terminated)
        crashed(i, exit: terminated.exitCode)
        // Restarted at once (no back-off yet): kubelet shows why meanwhile.
        if slots[i].restartAt != nil && slots[i].state.terminated != nil { slots[i].state = ContainerState(waiting: failure.waiting) }
    }

    var podEverRunning: Bool { slots.filter { $0.kind == .main }.allSatisfy(\.everStarted) }

    /// Only a container that never started was created ahead (its first run is restart 0).
    private func launch(_ i: Int, restart: Int) throws -> pid_t {
        let container = slots[i].container
        let created = try precreated.removeValue(forKey: i) ?? create(container, restart: restart)
        do { try created.start() } catch {
            cgroup(for: container.name).killAll()
            throw error
        }
        return created.pid
    }

    /// Creates the main container after slot i if it is the next to start for the first time;
    /// a failure here is left for its own start to meet and report.
    private func precreate(after i: Int) {
        let next = i + 1
        // Not while an ordinary init container runs: a main container's subPaths are resolved
        // when it is created, and must see what the init containers left in the volume.
        guard slots[i].kind != .initContainer, next < slots.count, slots[next].kind == .main, !slots[next].everStarted, slots[next].pid == nil,
            slots[next].restartAt == nil, precreated[next] == nil, !stopRequested
        else { return }
        do {
            precreated[next] = try create(slots[next].container, restart: 0)
        } catch {
            log("container \(slots[next].name): created at its turn instead: \(error)")
        }
    }

    /// While the network is set up, the first container is created (not
    /// started); unless a container's env needs the pod IP, which its spec holds.
    func precreateFirst() {
        guard network != nil, let first = slots.indices.first, precreated[first] == nil else { return }
        let needsIP = pod.spec.allContainers.contains { c in
            (c.env ?? []).contains { ["status.podIP", "status.podIPs"].contains($0.valueFrom?.fieldRef?.fieldPath ?? "") }
        }
        if needsIP { return }
        do {
            precreated[first] = try create(slots[first].container, restart: 0)
        } catch {
            log("container \(slots[first].name): created at its turn instead: \(error)")
        }
    }

    /// Gives up on containers created but never started (the pod stops first).
    func abortPrecreated() {
        for (_, created) in precreated { created.abort() }
        precreated = [:]
    }

    /// Everything up to a created container whose init waits for "start".
    private func create(_ container: Container, restart: Int) throws -> CreatedContainer {
        guard let image = images[container.image] else { throw MinipodError(.notFound, "image \(container.image) is not loaded") }
        if case .v2 = layout { CgroupMigrationLock.prime(layout: layout) }
        let containerDir = paths.containerDir(uid: runtime.uid, container: container.name)
        // A restarted container gets a fresh writable layer, as in Kubernetes.
        for sub in ["upper", "work"] { try? FileIO.removeTree(containerDir + "/" + sub) }
        for sub in ["upper", "work", "rootfs"] { try FileIO.makeDirectories(containerDir + "/" + sub) }
        // The overlay's root takes the upper directory's owner: the pod's root, not an unmapped host root.
        if let range = runtime.idRange, chown(containerDir + "/upper", range.base, range.base) != 0 {
            throw MinipodError.sys("chown \(containerDir)/upper to the pod's root (host uid \(range.base))")
        }
        let passwd = image.layerDirectories.reversed().lazy.compactMap { try? FileIO.readString($0 + "/etc/passwd") }.first
        let context = ContainerContext(
            pod: pod, container: container, imageConfig: image.config.config, lowerDirs: image.layerDirectories,
            containerDir: containerDir, sandbox: PodTeardown(paths: paths).sandbox(key),
            hostNetwork: pod.spec.hostNetwork == true, etcDir: paths.etcDir(key),
            volumeDirs: volumeDirectories(), podIP: runtime.podIP, passwd: passwd,
            hostDevices: container.securityContext?.privileged == true
                ? HostDevices.list(excluding: Set(RuntimeSpec.defaultDeviceNames.map { "/dev/" + $0 })) : [],
            idRange: runtime.idRange)
        let spec = try SpecGenerator.spec(for: context)
        try VolumeSubPaths.prepare(spec, container: container, field: SpecGenerator.fieldPath(context))
        let specPath = containerDir + "/config.json"
        let seccompCache = SeccompCompiler.cachePath(forSpec: specPath)
        unlink(seccompCache)  // compiled afresh from this spec by create
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try FileIO.write(specPath, String(decoding: try encoder.encode(spec), as: UTF8.self))

        let cg = cgroup(for: container.name)
        cg.remove()
        try cg.create(resources: spec.linux?.resources)

        let logPath = paths.logPath(
            namespace: pod.metadata.namespace ?? "default", name: pod.metadata.name,
            uid: runtime.uid, container: container.name, restart: restart)
        try FileIO.makeDirectories((logPath as NSString).deletingLastPathComponent)
        let logFile = try LogFile(path: logPath)
        let stdio = try ContainerStdio(tty: container.tty == true, stdin: container.stdin == true, stdinOnce: container.stdinOnce == true)
        let created: CreatedContainer
        do {
            created = try launcher.create(
                name: container.name, spec: spec, cgroup: cg, stdio: stdio.containerSide,
                options: stdio.options, seccompCache: seccompCache)
        } catch {
            stdio.discard()
            throw error
        }
        do {
            attachRegistry[container.name] = try stdio.connect(to: logFile, container: container.name)
        } catch {
            created.abort()
            throw error
        }
        try updateRuntime {
            $0.containers[container.name] = ContainerRuntimeInfo(
                pid: created.pid, cgroup: cg.path, stopSignal: image.config.config?.StopSignal ?? "SIGTERM",
                logPath: logPath, specPath: specPath)
        }
        // In the supervisor's log, not as events: a pod's rlimits are minipod's defaults, not the user's
        // (`minipod oci create`, whose spec is the user's, prints them).
        for warning in created.warnings { log("W \(warning)") }
        FaultInjection.point("supervisor-after-create")
        return created
    }

    /// A container without a startupProbe counts as started once its processes
    /// first go idle (all sleeping), at most 1 s: nginx has opened its logs by
    /// then, so a sidecar started next finds access.log (lab 1).
    func waitUntilSettled(_ cg: Cgroup, pid: pid_t) {
        let deadline = Date().addingTimeInterval(1)
        var idleSamples = 0
        while Date() < deadline && idleSamples < 3 {
            let pids = cg.pids
            if pids.isEmpty { return }
            let idle = pids.allSatisfy { p in
                let state = Signals.processState(p)
                return state == "S" || state == "Z" || state == "T" || state == nil
            }
            idleSamples = idle ? idleSamples + 1 : 0
            usleep(1000)
        }
    }

    func containerExited(_ i: Int, status: ExitStatus) {
        let slot = slots[i]
        let (code, signal): (Int, Int?) = {
            switch status {
            case .exited(let c): return (Int(c), nil)
            case .signaled(let s): return (128 + Int(s), Int(s))
            }
        }()
        let terminated = ContainerStateTerminated(
            exitCode: code, signal: signal, reason: code == 0 ? "Completed" : (oomKilled(slot.name) ? "OOMKilled" : "Error"),
            startedAt: slot.startedAt.map(KubeTime.format), finishedAt: KubeTime.now(), containerID: slot.containerID)
        log("container \(slot.name) exited with \(code)")
        // No new attach sessions; the current ones end when the output streams do.
        attachRegistry[slot.name] = nil
        cgroup(for: slot.name).killAll()
        slots[i].pid = nil
        slots[i].ready = false
        slots[i].state = ContainerState(terminated: terminated)
        try? updateRuntime { $0.containers[slot.name]?.pid = nil }
        if stopRequested { return }
        if slot.pendingDefinition != nil {
            restartWithNewDefinition(i)
            return
        }
        crashed(i, exit: code)
    }

    private func oomKilled(_ name: String) -> Bool {
        for dir in cgroup(for: name).directories {
            if let events = try? FileIO.readString(dir + "/memory.events"),
                events.split(separator: "\n").contains(where: { $0.hasPrefix("oom_kill ") && !$0.hasSuffix(" 0") })
            {
                return true
            }
            if let control = try? FileIO.readString(dir + "/memory.oom_control"),
                control.split(separator: "\n").contains(where: { $0.hasPrefix("oom_kill ") && !$0.hasSuffix(" 0") })
            {
                return true
            }
        }
        return false
    }

    /// Decides what happens after a container ended (or failed to start, exit 128).
    func crashed(_ i: Int, exit: Int) {
        let slot = slots[i]
        let now = clock()
        let delay: TimeInterval
        switch PodActions.afterExit(slot, exitCode: exit, restartPolicy: pod.spec.restartPolicy ?? "Always", now: now) {
        case .completed:
            slots[i].done = true
            return
        case .finished:
            slots[i].done = slot.kind == .main
            return
        case .restart(let after, let crashes):
            delay = after
            slots[i].crashes = crashes
        }
        if let terminated = slots[i].state.terminated { slots[i].lastState = ContainerState(terminated: terminated) }
        slots[i].restartAt = now.addingTimeInterval(delay)
        if delay > 0 {
            event(
                "BackOff",
                "Back-off restarting failed container \(slot.name) in pod \(pod.metadata.name)_\(pod.metadata.namespace ?? "default")(\(runtime.uid))",
                warning: true)
            slots[i].state = ContainerState(
                waiting: ContainerStateWaiting(
                    reason: "CrashLoopBackOff",
                    message:
                        "back-off \(Int(delay))s restarting failed container=\(slot.name) pod=\(pod.metadata.name)_\(pod.metadata.namespace ?? "default")(\(runtime.uid))"
                ))
        }
    }

    /// Stops the pod: main containers with their stop signal, then native
    /// sidecars, within the grace period; then SIGKILL whatever is left.
    func stopAll(grace: Int) {
        stopRequested = true
        abortPrecreated()
        var deadline = Date().addingTimeInterval(TimeInterval(max(0, grace)))
        var appliedGrace = grace
        for indices in PodActions.stopOrder(slots) {
            for i in indices where grace > 0 { runPreStop(i, deadline: deadline) }
            for i in indices {
                event("Killing", "Stopping container \(slots[i].name)")
                let signalName = runtime.containers[slots[i].name]?.stopSignal ?? "SIGTERM"
                if let pid = slots[i].pid { kill(pid, grace > 0 ? (Signals.number(signalName) ?? SIGTERM) : SIGKILL) }
            }
            while Date() < deadline && indices.contains(where: { slots[$0].pid != nil }) {
                usleep(50_000)
                reap()
                // A later `delete --grace-period=0` (or --now) shortens the wait.
                if let pod = try? store.loadPod(key), let since = pod.metadata.deletionTimestamp.flatMap(KubeTime.parse),
                    let newGrace = pod.metadata.deletionGracePeriodSeconds, newGrace < appliedGrace
                {
                    appliedGrace = newGrace
                    deadline = min(deadline, since.addingTimeInterval(TimeInterval(newGrace)))
                }
            }
        }
        for i in slots.indices {
            cgroup(for: slots[i].name).killAll()
            if let pid = slots[i].pid, let status = try? Spawn.wait(pid) { containerExited(i, status: status) }
        }
        writeStatus()
    }
}
