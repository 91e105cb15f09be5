import Foundation
import MinipodCgroups
import MinipodImage
import MinipodKube
import MinipodNet
import MinipodOCI
import MinipodRuntime
import MinipodSystem
import Testing

@testable import MinipodPod

/// Manifest + image config → OCI spec, without root.
struct SpecGeneratorTests {
    func context(
        _ container: Container, image: OCIImageConfig.Config? = nil, volumes: [Volume] = [],
        podSecurity: PodSecurityContext? = nil, passwd: String? = nil
    ) -> ContainerContext {
        var spec = PodSpec(containers: [container])
        spec.volumes = volumes
        spec.securityContext = podSecurity
        let pod = Pod(metadata: ObjectMeta(name: "demo", namespace: "default", uid: "u1"), spec: spec)
        return ContainerContext(
            pod: pod, container: container, imageConfig: image, lowerDirs: ["/layers/a", "/layers/b"],
            containerDir: "/data/c", sandbox: Sandbox(netns: "/run/netns/p", uts: "/run/ns/uts", ipc: "/run/ns/ipc", user: "/run/ns/user"),
            hostNetwork: false, etcDir: "/run/etc",
            volumeDirs: Dictionary(volumes.map { ($0.name, "/vol/\($0.name)") }, uniquingKeysWith: { a, _ in a }),
            podIP: "10.86.0.7", passwd: passwd)
    }

    @Test func hostUsersFalseJoinsThePodsUserNamespaceWithItsBlockOfIDs() throws {
        var c = context(Container(name: "app", image: "busybox", command: ["sh"]))
        c.idRange = IDRange(base: 0x7001_0000)
        let spec = try SpecGenerator.spec(for: c)
        let namespaces = try #require(spec.linux?.namespaces)
        #expect(namespaces.first == .init(type: "user", path: "/run/ns/user"), "the user namespace first: it owns the others")
        #expect(namespaces.filter { $0.path == nil }.map(\.type).sorted() == ["cgroup", "mount", "pid"])
        let mapping = RuntimeSpec.IDMapping(containerID: 0, hostID: 0x7001_0000, size: 65536)
        #expect(spec.linux?.uidMappings == [mapping] && spec.linux?.gidMappings == [mapping])
        // The overlay is still described: the launcher builds it on ID-mapped layers.
        #expect(spec.annotations?[MinipodAnnotations.overlayRootfs] != nil)
        let plan = try NamespacePlan(spec: spec, container: "app")
        #expect(plan.joinedUserNamespace == "/run/ns/user" && plan.parentJoinsCgroup)
        #expect(plan.uidMap == nil, "a joined namespace was mapped when the pod's sandbox was made")

        let hostUsers = try SpecGenerator.spec(for: context(Container(name: "app", image: "busybox", command: ["sh"])))
        #expect(hostUsers.linux?.namespaces?.contains { $0.type == "user" } == false)
        #expect(hostUsers.linux?.uidMappings == nil)
    }

    func image(entrypoint: [String]? = nil, cmd: [String]? = nil, env: [String]? = nil, user: String? = nil) -> OCIImageConfig.Config {
        var config = try! JSONDecoder().decode(OCIImageConfig.Config.self, from: Data("{}".utf8))
        config.Entrypoint = entrypoint
        config.Cmd = cmd
        config.Env = env
        config.User = user
        return config
    }

    @Test(arguments: [
        // (command, args, expected) against ENTRYPOINT ["/entry"] CMD ["default"]
        ([String]?.none, [String]?.none, ["/entry", "default"]),
        (["/bin/sh"], nil, ["/bin/sh"]),
        (nil, ["x", "y"], ["/entry", "x", "y"]),
        (["/bin/sh", "-c"], ["echo hi"], ["/bin/sh", "-c", "echo hi"]),
    ])
    func commandAndArgsFollowKubernetesRules(command: [String]?, args: [String]?, expected: [String]) throws {
        let c = Container(name: "app", image: "busybox:1.36", command: command, args: args)
        let spec = try SpecGenerator.spec(for: context(c, image: image(entrypoint: ["/entry"], cmd: ["default"])))
        #expect(spec.process?.args == expected)
    }

    @Test func containerEnvOverridesImageEnvAndExpandsReferences() throws {
        var c = Container(name: "app", image: "busybox:1.36", command: ["echo", "$(GREETING)"])
        c.env = [
            EnvVar(name: "GREETING", value: "hello $(WHO)"), EnvVar(name: "WHO", value: "later"),
            EnvVar(name: "PATH", value: "/custom"),
            EnvVar(name: "POD_IP", valueFrom: EnvVarSource(fieldRef: ObjectFieldSelector(fieldPath: "status.podIP"))),
        ]
        let spec = try SpecGenerator.spec(for: context(c, image: image(env: ["PATH=/usr/bin", "IMAGE_ONLY=1"])))
        let env = spec.process?.env ?? []
        #expect(env.contains("PATH=/custom"))
        #expect(env.contains("IMAGE_ONLY=1"))
        #expect(env.contains("GREETING=hello $(WHO)"), "WHO is defined after GREETING, so it stays unexpanded")
        #expect(env.contains("POD_IP=10.86.0.7"))
        #expect(env.contains("HOSTNAME=demo"))
        #expect(spec.process?.args == ["echo", "hello $(WHO)"])
    }

    @Test func volumesBecomeBindMountsOfThePodDirectory() throws {
        var c = Container(name: "app", image: "nginx:1.25")
        c.volumeMounts = [
            VolumeMount(name: "logs", mountPath: "/var/log/nginx"),
            VolumeMount(name: "html", mountPath: "/usr/share/nginx/html", readOnly: true),
        ]
        let volumes = [Volume(name: "logs", emptyDir: EmptyDirVolumeSource()), Volume(name: "html", emptyDir: EmptyDirVolumeSource())]
        let spec = try SpecGenerator.spec(for: context(c, image: image(cmd: ["nginx"]), volumes: volumes))
        let mounts = spec.mounts ?? []
        let logs = try #require(mounts.first { $0.destination == "/var/log/nginx" })
        #expect(logs.source == "/vol/logs" && logs.type == "bind" && logs.options == ["rbind", "rprivate"])
        let html = try #require(mounts.first { $0.destination == "/usr/share/nginx/html" })
        #expect(html.options?.contains("ro") == true)
        #expect(mounts.contains { $0.destination == "/etc/hosts" && $0.source == "/run/etc/hosts" })
        #expect(mounts.firstIndex { $0.destination == "/proc" }! < mounts.firstIndex { $0.destination == "/var/log/nginx" }!)
        #expect(spec.annotations?["io.minipod.rootfs.overlay"] == "lowerdir=/layers/b:/layers/a,upperdir=/data/c/upper,workdir=/data/c/work")
    }

    @Test func missingVolumeNamesTheField() {
        var c = Container(name: "app", image: "busybox:1.36", command: ["true"])
        c.volumeMounts = [VolumeMount(name: "shared-log", mountPath: "/logs")]
        #expect {
            try SpecGenerator.spec(for: context(c))
        } throws: { error in
            "\(error)" == "spec.containers[0].volumeMounts[0].name: volume \"shared-log\" not found"
        }
    }

    @Test func sharesThePodNamespacesAndOwnsTheRest() throws {
        let spec = try SpecGenerator.spec(for: context(Container(name: "app", image: "busybox:1.36", command: ["true"])))
        let ns = spec.linux?.namespaces ?? []
        #expect(ns.first { $0.type == "network" }?.path == "/run/netns/p")
        #expect(ns.first { $0.type == "uts" }?.path == "/run/ns/uts")
        #expect(ns.first { $0.type == "ipc" }?.path == "/run/ns/ipc")
        for own in ["pid", "mount", "cgroup"] { #expect(ns.contains { $0.type == own && $0.path == nil }) }
        #expect(spec.process?.capabilities?.bounding?.count == 14)
        #expect(spec.linux?.seccomp != nil)
        #expect(spec.linux?.maskedPaths?.contains("/proc/kcore") == true)
    }

    @Test func imageUserByNameResolvesThroughPasswdAndRunAsUserWins() throws {
        let passwd = "root:x:0:0:root:/root:/bin/sh\nnginx:x:101:101:nginx:/nonexistent:/bin/false\n"
        let c = Container(name: "app", image: "nginx:1.25", command: ["nginx"])
        let byName = try SpecGenerator.spec(for: context(c, image: image(user: "nginx"), passwd: passwd))
        #expect(byName.process?.user.uid == 101 && byName.process?.user.gid == 101)
        let overridden = try SpecGenerator.spec(
            for: context(c, image: image(user: "nginx"), podSecurity: PodSecurityContext(runAsUser: 1000), passwd: passwd))
        #expect(overridden.process?.user.uid == 1000)
        #expect(throws: (any Error).self) {
            try SpecGenerator.spec(for: context(c, image: image(user: "nobody-here"), passwd: passwd))
        }
        #expect(throws: (any Error).self) {
            try SpecGenerator.spec(for: context(c, podSecurity: PodSecurityContext(runAsNonRoot: true)))
        }
    }

    @Test func limitsBecomeCgroupResources() throws {
        var c = Container(name: "app", image: "busybox:1.36", command: ["true"])
        c.resources = ResourceRequirements(limits: ["memory": "128Mi", "cpu": "500m"], requests: ["cpu": "250m"])
        let r = try #require(try SpecGenerator.spec(for: context(c)).linux?.resources)
        #expect(r.memory?.limit == 134_217_728)
        #expect(r.cpu?.quota == 50_000 && r.cpu?.period == 100_000)
        #expect(r.cpu?.shares == 256)
        // Podman's default process limit (MINIPOD_PIDS_LIMIT unset in the test environment).
        #expect(r.pids?.limit == 2048)
    }

    @Test func environmentBeyondExecveLimitsNamesTheField() throws {
        var c = Container(name: "app", image: "busybox:1.36", command: ["true"])
        c.env = [EnvVar(name: "HUGE", value: String(repeating: "x", count: 200_000))]
        #expect(
            throws: MinipodError(
                .invalidManifest, "environment variable HUGE is 200005 bytes; the kernel takes at most 128 KiB per variable",
                field: "spec.containers[0].env")
        ) { try SpecGenerator.spec(for: context(c)) }
        c.env = (0..<20_000).map { EnvVar(name: "VARIABLE_\($0)", value: String(repeating: "v", count: 50)) }
        #expect(throws: MinipodError.self) { try SpecGenerator.spec(for: context(c)) }
        c.env = (0..<5_000).map { EnvVar(name: "V\($0)", value: "\($0)") }
        #expect(try SpecGenerator.spec(for: context(c)).process?.env?.count ?? 0 >= 5_000)
    }

    @Test func unprivilegedContainersGetOnlyTheDefaultDevicesPrivilegedOnesTheHosts() throws {
        var c = Container(name: "app", image: "busybox:1.36", command: ["true"])
        #expect(try SpecGenerator.spec(for: context(c)).linux?.resources?.devices == Cgroup.defaultDeviceRules)
        #expect(try SpecGenerator.spec(for: context(c)).linux?.devices == nil)
        #expect(Cgroup.defaultDeviceRules.first == RuntimeSpec.Resources.DeviceRule(allow: false, access: "rwm"))
        c.securityContext = SecurityContext(privileged: true)
        var ctx = context(c)
        ctx.hostDevices = [RuntimeSpec.Device(path: "/dev/sda", type: "b", major: 8, minor: 0)]
        let spec = try SpecGenerator.spec(for: ctx)
        #expect(spec.linux?.resources?.devices == [RuntimeSpec.Resources.DeviceRule(allow: true, access: "rwm")])
        #expect(spec.linux?.devices == ctx.hostDevices)
        #expect(spec.mounts?.first { $0.type == "sysfs" }?.options?.contains("ro") == false, "/sys is writable")
    }

    @Test func privilegedGetsAllCapabilitiesAndNoFilter() throws {
        var c = Container(name: "app", image: "busybox:1.36", command: ["true"])
        c.securityContext = SecurityContext(privileged: true)
        let spec = try SpecGenerator.spec(for: context(c))
        #expect(spec.process?.capabilities?.bounding?.contains("CAP_SYS_ADMIN") == true)
        #expect(spec.linux?.readonlyPaths == nil, "/proc/sys and the rest of /proc are writable")
        #expect(spec.linux?.seccomp == nil && spec.linux?.maskedPaths == nil)
    }
}

/// Capabilities as containerd computes them, subPath and subPathExpr, hostPath types.
struct SpecGeneratorSecurityTests {
    let host = DefaultProfile.allCapabilities

    @Test func dropAllThenAddGivesExactlyTheAdded() {
        #expect(SpecGenerator.capabilities(privileged: false, add: ["NET_ADMIN"], drop: ["ALL"], host: host) == ["CAP_NET_ADMIN"])
        #expect(SpecGenerator.capabilities(privileged: false, add: [], drop: ["ALL"], host: host) == [])
        #expect(
            SpecGenerator.capabilities(privileged: false, add: ["ALL"], drop: ["CHOWN"], host: host)
                == DefaultProfile.allCapabilities.filter { $0 != "CAP_CHOWN" })
        #expect(
            SpecGenerator.capabilities(privileged: false, add: ["NET_ADMIN"], drop: ["NET_ADMIN"], host: host)
                == DefaultProfile.capabilities, "a named drop wins over the same named add")
        #expect(
            SpecGenerator.capabilities(privileged: false, add: ["cap_sys_time"], drop: [], host: host) == DefaultProfile.capabilities + [
                "CAP_SYS_TIME"
            ])
    }

    @Test func privilegedGetsTheHostsBoundingSet() {
        let limited = host.filter { $0 != "CAP_SYS_RESOURCE" }
        #expect(SpecGenerator.capabilities(privileged: true, add: [], drop: [], host: limited) == limited)
        #expect(!SpecGenerator.capabilities(privileged: false, add: ["SYS_RESOURCE"], drop: [], host: limited).contains("CAP_SYS_RESOURCE"))
    }

    @Test func boundingSetIsReadFromProcStatus() {
        #expect(
            HostCapabilities.boundingSet(status: "Name:\tx\nCapBnd:\t000001fffeffffff\n")
                == DefaultProfile.allCapabilities.filter { $0 != "CAP_SYS_RESOURCE" })
        #expect(HostCapabilities.boundingSet(status: "CapBnd:\t0000000000003000\n") == ["CAP_NET_ADMIN", "CAP_NET_RAW"])
        #expect(HostCapabilities.boundingSet(status: "Name:\tx\n") == nil)
    }

    func context(_ container: Container, volumes: [Volume]) -> ContainerContext {
        var spec = PodSpec(containers: [container])
        spec.volumes = volumes
        let pod = Pod(metadata: ObjectMeta(name: "demo", namespace: "default", uid: "u1"), spec: spec)
        return ContainerContext(
            pod: pod, container: container, imageConfig: nil, lowerDirs: ["/layers/a"], containerDir: "/data/c",
            sandbox: Sandbox(netns: "/run/netns/p", uts: "/run/ns/uts", ipc: "/run/ns/ipc", user: "/run/ns/user"), hostNetwork: false,
            etcDir: "/run/etc",
            volumeDirs: ["logs": "/vol/logs"], podIP: nil, passwd: nil)
    }

    @Test func subPathMountsNameTheirVolumeForInit() throws {
        var c = Container(name: "app", image: "busybox:1.36", command: ["true"])
        c.env = [EnvVar(name: "POD", valueFrom: EnvVarSource(fieldRef: ObjectFieldSelector(fieldPath: "metadata.name")))]
        c.volumeMounts = [
            VolumeMount(name: "logs", mountPath: "/a", subPath: "x/y"),
            VolumeMount(name: "logs", mountPath: "/b", subPathExpr: "per-pod/$(POD)"),
            VolumeMount(name: "logs", mountPath: "/c"),
        ]
        let spec = try SpecGenerator.spec(for: context(c, volumes: [Volume(name: "logs", emptyDir: .init())]))
        let source = { (destination: String) in spec.mounts?.first { $0.destination == destination }?.source }
        #expect(source("/a") == "/vol/logs/x/y")
        #expect(source("/b") == "/vol/logs/per-pod/demo")
        #expect(source("/c") == "/vol/logs")
        #expect(spec.annotations?[MinipodAnnotations.subPathVolume("/a")] == "/vol/logs")
        #expect(spec.annotations?[MinipodAnnotations.subPathVolume("/b")] == "/vol/logs")
        #expect(spec.annotations?[MinipodAnnotations.subPathVolume("/c")] == nil)
    }

    @Test func subPathExprExpandingOutOfTheVolumeNamesTheField() throws {
        var c = Container(name: "app", image: "busybox:1.36", command: ["true"])
        c.env = [EnvVar(name: "UP", value: "../..")]
        c.volumeMounts = [VolumeMount(name: "logs", mountPath: "/a", subPathExpr: "$(UP)/etc")]
        #expect(
            throws: MinipodError(
                .invalidManifest, "expands to \"../../etc\", which must not contain '..'",
                field: "spec.containers[0].volumeMounts[0].subPathExpr")
        ) {
            try SpecGenerator.spec(for: context(c, volumes: [Volume(name: "logs", emptyDir: .init())]))
        }
    }

    @Test(arguments: [
        ("DirectoryOrCreate", mode_t?.none, HostPathType.Action.createDirectory),
        ("DirectoryOrCreate", S_IFDIR, .use),
        ("DirectoryOrCreate", S_IFREG, .refuse("hostPath type check failed: /p is not a directory")),
        ("Directory", nil, .refuse("hostPath type check failed: /p is not a directory")),
        ("FileOrCreate", nil, .createFile),
        ("FileOrCreate", S_IFDIR, .refuse("hostPath type check failed: /p is not a file")),
        ("File", S_IFREG, .use),
        ("Socket", S_IFREG, .refuse("hostPath type check failed: /p is not a socket file")),
        ("CharDevice", S_IFBLK, .refuse("hostPath type check failed: /p is not a character device")),
        ("BlockDevice", S_IFCHR, .refuse("hostPath type check failed: /p is not a block device")),
        ("", nil, .use),
    ])
    func hostPathTypesAsKubelet(type: String, existing: mode_t?, expected: HostPathType.Action) {
        #expect(HostPathType.action(type: type, existing: existing, path: "/p") == expected)
    }
}
