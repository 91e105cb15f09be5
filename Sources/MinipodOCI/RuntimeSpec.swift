/// The subset of the OCI runtime-spec 1.2 config.json that minipod reads.
/// Field names follow the spec exactly so a bundle written by podman or
/// containerd decodes unchanged.
public struct RuntimeSpec: Codable, Equatable, Sendable {
    /// The runtime-spec's "default devices": every container with a /dev tmpfs gets these, bound from the host.
    public static let defaultDeviceNames = ["null", "zero", "full", "random", "urandom", "tty"]

    public var ociVersion: String = "1.2.0"
    public var process: Process?
    public var root: Root?
    public var hostname: String?
    public var domainname: String?
    public var mounts: [Mount]?
    public var linux: Linux?
    public var annotations: [String: String]?

    public init() {}

    public struct Process: Codable, Equatable, Sendable {
        public var terminal: Bool?
        public var user: User = User()
        public var args: [String] = []
        public var env: [String]?
        public var cwd: String = "/"
        public var capabilities: Capabilities?
        public var rlimits: [Rlimit]?
        public var noNewPrivileges: Bool?
        public var oomScoreAdj: Int?
        public init() {}
    }

    public struct User: Codable, Equatable, Sendable {
        public var uid: UInt32 = 0
        public var gid: UInt32 = 0
        public var umask: UInt32?
        public var additionalGids: [UInt32]?
        public init() {}
    }

    public struct Capabilities: Codable, Equatable, Sendable {
        public var bounding: [String]?
        public var effective: [String]?
        public var inheritable: [String]?
        public var permitted: [String]?
        public var ambient: [String]?
        public init() {}
    }

    public struct Rlimit: Codable, Equatable, Sendable {
        public var type: String
        public var hard: UInt64
        public var soft: UInt64
        public init(type: String, hard: UInt64, soft: UInt64) {
            self.type = type
            self.hard = hard
            self.soft = soft
        }
    }

    public struct Root: Codable, Equatable, Sendable {
        public var path: String
        public var readonly: Bool?
        public init(path: String, readonly: Bool? = nil) {
            self.path = path
            self.readonly = readonly
        }
    }

    public struct Mount: Codable, Equatable, Sendable {
        public var destination: String
        public var type: String?
        public var source: String?
        public var options: [String]?
        public init(destination: String, type: String?, source: String?, options: [String]?) {
            self.destination = destination
            self.type = type
            self.source = source
            self.options = options
        }
    }

    public struct Linux: Codable, Equatable, Sendable {
        public var namespaces: [Namespace]?
        public var resources: Resources?
        public var cgroupsPath: String?
        public var maskedPaths: [String]?
        public var readonlyPaths: [String]?
        public var seccomp: Seccomp?
        public var sysctl: [String: String]?
        public var rootfsPropagation: String?
        public var uidMappings: [IDMapping]?
        public var gidMappings: [IDMapping]?
        public var devices: [Device]?
        /// "monotonic" / "boottime" → offset of the clock in a new time namespace.
        public var timeOffsets: [String: TimeOffset]?
        public init() {}
    }

    /// One line of /proc/<pid>/uid_map or gid_map.
    public struct IDMapping: Codable, Equatable, Sendable {
        public var containerID: UInt32
        public var hostID: UInt32
        public var size: UInt32
        public init(containerID: UInt32, hostID: UInt32, size: UInt32) {
            self.containerID = containerID
            self.hostID = hostID
            self.size = size
        }
    }

    /// linux.devices: a node the runtime creates in the container's /dev.
    public struct Device: Codable, Equatable, Sendable {
        public var path: String
        public var type: String  // c, b, u or p
        public var major: Int64?
        public var minor: Int64?
        public var fileMode: UInt32?
        public var uid: UInt32?
        public var gid: UInt32?
        public init(path: String, type: String, major: Int64? = nil, minor: Int64? = nil) {
            self.path = path
            self.type = type
            self.major = major
            self.minor = minor
        }
    }

    public struct TimeOffset: Codable, Equatable, Sendable {
        public var secs: Int64?
        public var nanosecs: UInt32?
        public init(secs: Int64? = nil, nanosecs: UInt32? = nil) {
            self.secs = secs
            self.nanosecs = nanosecs
        }
    }

    public struct Namespace: Codable, Equatable, Sendable {
        public var type: String
        public var path: String?
        public init(type: String, path: String? = nil) {
            self.type = type
            self.path = path
        }
    }

    /// linux.resources: what the cgroup driver applies (runtime-spec config-linux.md).
    public struct Resources: Codable, Equatable, Sendable {
        public var devices: [DeviceRule]?
        public var memory: Memory?
        public var cpu: CPU?
        public var pids: Pids?
        public var blockIO: BlockIO?
        public var hugepageLimits: [HugepageLimit]?
        public var network: Network?
        /// RDMA device name ("mlx5_1") → its limits.
        public var rdma: [String: Rdma]?
        /// cgroup v2 file name ("memory.high") → value, written as is.
        public var unified: [String: String]?
        public init() {}

        public struct DeviceRule: Codable, Equatable, Sendable {
            public var allow: Bool
            public var type: String?  // "a" (default), "c" or "b"
            public var major: Int64?  // nil: any
            public var minor: Int64?
            public var access: String?  // subset of "rwm" (default "rwm")
            public init(allow: Bool, type: String? = nil, major: Int64? = nil, minor: Int64? = nil, access: String? = nil) {
                self.allow = allow
                self.type = type
                self.major = major
                self.minor = minor
                self.access = access
            }
        }
        public struct Memory: Codable, Equatable, Sendable {
            public var limit: Int64?
            public var reservation: Int64?
            public var swap: Int64?
            public var kernel: Int64?
            public var kernelTCP: Int64?
            public var swappiness: UInt64?
            public var disableOOMKiller: Bool?
            public var useHierarchy: Bool?
            public var checkBeforeUpdate: Bool?
            public init(limit: Int64? = nil) { self.limit = limit }
        }
        public struct CPU: Codable, Equatable, Sendable {
            public var shares: UInt64?
            public var quota: Int64?
            public var burst: UInt64?
            public var period: UInt64?
            public var realtimeRuntime: Int64?
            public var realtimePeriod: UInt64?
            public var cpus: String?
            public var mems: String?
            public var idle: Int64?
            public init() {}
        }
        public struct Pids: Codable, Equatable, Sendable {
            /// Optional since runtime-spec 1.2: `"pids": {}` sets nothing.
            public var limit: Int64?
            public init(limit: Int64?) { self.limit = limit }
        }
        public struct BlockIO: Codable, Equatable, Sendable {
            public var weight: UInt16?
            public var leafWeight: UInt16?
            public var weightDevice: [WeightDevice]?
            public var throttleReadBpsDevice: [ThrottleDevice]?
            public var throttleWriteBpsDevice: [ThrottleDevice]?
            public var throttleReadIOPSDevice: [ThrottleDevice]?
            public var throttleWriteIOPSDevice: [ThrottleDevice]?
            public init() {}
            public struct WeightDevice: Codable, Equatable, Sendable {
                public var major: Int64
                public var minor: Int64
                public var weight: UInt16?
                public var leafWeight: UInt16?
                public init(major: Int64, minor: Int64, weight: UInt16? = nil, leafWeight: UInt16? = nil) {
                    self.major = major
                    self.minor = minor
                    self.weight = weight
                    self.leafWeight = leafWeight
                }
            }
            public struct ThrottleDevice: Codable, Equatable, Sendable {
                public var major: Int64
                public var minor: Int64
                public var rate: UInt64
                public init(major: Int64, minor: Int64, rate: UInt64) {
                    self.major = major
                    self.minor = minor
                    self.rate = rate
                }
            }
        }
        public struct HugepageLimit: Codable, Equatable, Sendable {
            public var pageSize: String  // "2MB", "1GB": the hugetlb.<pageSize>.* file names
            public var limit: UInt64
            public init(pageSize: String, limit: UInt64) {
                self.pageSize = pageSize
                self.limit = limit
            }
        }
        public struct Network: Codable, Equatable, Sendable {
            public var classID: UInt32?
            public var priorities: [InterfacePriority]?
            public init() {}
            public struct InterfacePriority: Codable, Equatable, Sendable {
                public var name: String
                public var priority: UInt32
                public init(name: String, priority: UInt32) {
                    self.name = name
                    self.priority = priority
                }
            }
        }
        public struct Rdma: Codable, Equatable, Sendable {
            public var hcaHandles: UInt32?
            public var hcaObjects: UInt32?
            public init(hcaHandles: UInt32? = nil, hcaObjects: UInt32? = nil) {
                self.hcaHandles = hcaHandles
                self.hcaObjects = hcaObjects
            }
        }
    }

    public struct Seccomp: Codable, Equatable, Sendable {
        public var defaultAction: String
        public var defaultErrnoRet: UInt32?
        public var architectures: [String]?
        public var flags: [String]?
        public var syscalls: [Syscall]?
        public init(defaultAction: String) { self.defaultAction = defaultAction }

        public struct Syscall: Codable, Equatable, Sendable {
            public var names: [String]
            public var action: String
            public var errnoRet: UInt32?
            public var args: [Arg]?
            public init(names: [String], action: String, errnoRet: UInt32? = nil, args: [Arg]? = nil) {
                self.names = names
                self.action = action
                self.errnoRet = errnoRet
                self.args = args
            }
        }
        public struct Arg: Codable, Equatable, Sendable {
            public var index: UInt32
            public var value: UInt64
            public var valueTwo: UInt64?
            public var op: String
            public init(index: UInt32, value: UInt64, valueTwo: UInt64? = nil, op: String) {
                self.index = index
                self.value = value
                self.valueTwo = valueTwo
                self.op = op
            }
        }
    }
}

/// minipod's own annotations: what a plain OCI bundle does not express.
public enum MinipodAnnotations {
    /// "lowerdir=…,upperdir=…,workdir=…": the init process mounts this overlay
    /// on root.path inside the container's mount namespace, so the rootfs mount
    /// never shows in the host's mount table and vanishes with the container.
    public static let overlayRootfs = "io.minipod.rootfs.overlay"
    /// In a user namespace joined by path (a pod's, `hostUsers: false`) the launcher
    /// builds that overlay itself, on layers ID-mapped through the namespace
    /// (IDMappedRootfs), and init moves the finished mount onto root.path instead.

    /// On a bind mount whose source is a subPath inside a volume, the volume's directory:
    /// init opens the rest of the source inside it (PathBeneath) and binds the descriptor,
    /// so a symlink a container put in the volume cannot lead the mount out of it.
    public static func subPathVolume(_ destination: String) -> String { "io.minipod.subpath-volume:" + destination }
}
