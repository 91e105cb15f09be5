import Foundation

/// What `minipod oci spec` and `minipod oci features` print.
public enum OCIDefaults {
    /// runc's `spec` template (runtime-spec 1.2 era: cgroup namespace included):
    /// a root shell with a terminal in a busybox-like rootfs at ./rootfs.
    public static let configJSON = """
        {
        \t"ociVersion": "1.2.0",
        \t"process": {
        \t\t"terminal": true,
        \t\t"user": {
        \t\t\t"uid": 0,
        \t\t\t"gid": 0
        \t\t},
        \t\t"args": [
        \t\t\t"sh"
        \t\t],
        \t\t"env": [
        \t\t\t"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        \t\t\t"TERM=xterm"
        \t\t],
        \t\t"cwd": "/",
        \t\t"capabilities": {
        \t\t\t"bounding": [
        \t\t\t\t"CAP_AUDIT_WRITE",
        \t\t\t\t"CAP_KILL",
        \t\t\t\t"CAP_NET_BIND_SERVICE"
        \t\t\t],
        \t\t\t"effective": [
        \t\t\t\t"CAP_AUDIT_WRITE",
        \t\t\t\t"CAP_KILL",
        \t\t\t\t"CAP_NET_BIND_SERVICE"
        \t\t\t],
        \t\t\t"permitted": [
        \t\t\t\t"CAP_AUDIT_WRITE",
        \t\t\t\t"CAP_KILL",
        \t\t\t\t"CAP_NET_BIND_SERVICE"
        \t\t\t]
        \t\t},
        \t\t"rlimits": [
        \t\t\t{
        \t\t\t\t"type": "RLIMIT_NOFILE",
        \t\t\t\t"hard": 1024,
        \t\t\t\t"soft": 1024
        \t\t\t}
        \t\t],
        \t\t"noNewPrivileges": true
        \t},
        \t"root": {
        \t\t"path": "rootfs",
        \t\t"readonly": true
        \t},
        \t"hostname": "minipod",
        \t"mounts": [
        \t\t{
        \t\t\t"destination": "/proc",
        \t\t\t"type": "proc",
        \t\t\t"source": "proc"
        \t\t},
        \t\t{
        \t\t\t"destination": "/dev",
        \t\t\t"type": "tmpfs",
        \t\t\t"source": "tmpfs",
        \t\t\t"options": [
        \t\t\t\t"nosuid",
        \t\t\t\t"strictatime",
        \t\t\t\t"mode=755",
        \t\t\t\t"size=65536k"
        \t\t\t]
        \t\t},
        \t\t{
        \t\t\t"destination": "/dev/pts",
        \t\t\t"type": "devpts",
        \t\t\t"source": "devpts",
        \t\t\t"options": [
        \t\t\t\t"nosuid",
        \t\t\t\t"noexec",
        \t\t\t\t"newinstance",
        \t\t\t\t"ptmxmode=0666",
        \t\t\t\t"mode=0620",
        \t\t\t\t"gid=5"
        \t\t\t]
        \t\t},
        \t\t{
        \t\t\t"destination": "/dev/shm",
        \t\t\t"type": "tmpfs",
        \t\t\t"source": "shm",
        \t\t\t"options": [
        \t\t\t\t"nosuid",
        \t\t\t\t"noexec",
        \t\t\t\t"nodev",
        \t\t\t\t"mode=1777",
        \t\t\t\t"size=65536k"
        \t\t\t]
        \t\t},
        \t\t{
        \t\t\t"destination": "/dev/mqueue",
        \t\t\t"type": "mqueue",
        \t\t\t"source": "mqueue",
        \t\t\t"options": [
        \t\t\t\t"nosuid",
        \t\t\t\t"noexec",
        \t\t\t\t"nodev"
        \t\t\t]
        \t\t},
        \t\t{
        \t\t\t"destination": "/sys",
        \t\t\t"type": "sysfs",
        \t\t\t"source": "sysfs",
        \t\t\t"options": [
        \t\t\t\t"nosuid",
        \t\t\t\t"noexec",
        \t\t\t\t"nodev",
        \t\t\t\t"ro"
        \t\t\t]
        \t\t},
        \t\t{
        \t\t\t"destination": "/sys/fs/cgroup",
        \t\t\t"type": "cgroup",
        \t\t\t"source": "cgroup",
        \t\t\t"options": [
        \t\t\t\t"nosuid",
        \t\t\t\t"noexec",
        \t\t\t\t"nodev",
        \t\t\t\t"relatime",
        \t\t\t\t"ro"
        \t\t\t]
        \t\t}
        \t],
        \t"linux": {
        \t\t"resources": {
        \t\t\t"devices": [
        \t\t\t\t{
        \t\t\t\t\t"allow": false,
        \t\t\t\t\t"access": "rwm"
        \t\t\t\t}
        \t\t\t]
        \t\t},
        \t\t"namespaces": [
        \t\t\t{
        \t\t\t\t"type": "pid"
        \t\t\t},
        \t\t\t{
        \t\t\t\t"type": "network"
        \t\t\t},
        \t\t\t{
        \t\t\t\t"type": "ipc"
        \t\t\t},
        \t\t\t{
        \t\t\t\t"type": "uts"
        \t\t\t},
        \t\t\t{
        \t\t\t\t"type": "mount"
        \t\t\t},
        \t\t\t{
        \t\t\t\t"type": "cgroup"
        \t\t\t}
        \t\t],
        \t\t"maskedPaths": [
        \t\t\t"/proc/acpi",
        \t\t\t"/proc/asound",
        \t\t\t"/proc/kcore",
        \t\t\t"/proc/keys",
        \t\t\t"/proc/latency_stats",
        \t\t\t"/proc/timer_list",
        \t\t\t"/proc/timer_stats",
        \t\t\t"/proc/sched_debug",
        \t\t\t"/sys/firmware",
        \t\t\t"/proc/scsi"
        \t\t],
        \t\t"readonlyPaths": [
        \t\t\t"/proc/bus",
        \t\t\t"/proc/fs",
        \t\t\t"/proc/irq",
        \t\t\t"/proc/sys",
        \t\t\t"/proc/sysrq-trigger"
        \t\t]
        \t}
        }
        """

    /// runtime-spec features.md: what this runtime understands.
    public struct Features: Codable, Equatable {
        public var ociVersionMin = "1.0.0"
        public var ociVersionMax = "1.2.0"
        public var hooks = ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"]
        public var mountOptions = [
            "atime", "bind", "defaults", "dev", "diratime", "exec", "noatime", "nodev", "nodiratime", "noexec",
            "norelatime", "nostrictatime", "nosuid", "private", "rbind", "relatime", "ro", "rprivate", "rshared",
            "rslave", "runbindable", "rw", "shared", "slave", "strictatime", "suid", "unbindable",
        ]
        public var linux = Linux()
        public var annotations = ["org.opencontainers.runtime-spec.features.minipod": "true"]

        public struct Linux: Codable, Equatable {
            public var namespaces = ["cgroup", "ipc", "mount", "network", "pid", "time", "uts"]
            public var capabilities = DefaultProfile.allCapabilities
            public var cgroup = Cgroup()
            public var seccomp = Seccomp()
            public var apparmor = Enabled(enabled: false)
            public var selinux = Enabled(enabled: false)

            public struct Cgroup: Codable, Equatable {
                public var v1 = true
                public var v2 = true
                public var systemd = false
                public var systemdUser = false
                public var rdma = true
            }
            public struct Seccomp: Codable, Equatable {
                public var enabled = true
                public var actions = [
                    "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
                    "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP",
                ]
                public var operators = [
                    "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE", "SCMP_CMP_LT",
                    "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE",
                ]
                public var archs = ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", "SCMP_ARCH_X32", "SCMP_ARCH_X86", "SCMP_ARCH_X86_64"]
            }
            public struct Enabled: Codable, Equatable { public var enabled: Bool }
        }

        public init() {}

        public func json() -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
        }
    }
}
