/// The subset of the OCI runtime-spec 1.2 config.json that minipod reads.
/// Field names follow the spec exactly so a bundle written by podman or
/// containerd decodes unchanged.
public struct RuntimeSpec: Codable, Equatable, Sendable {
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
        public init(type: String, hard: UInt64, soft: UInt64) { self.type = type; self.hard = hard; self.soft = soft }
    }

    public struct Root: Codable, Equatable, Sendable {
        public var path: String
        public var readonly: Bool?
        public init(path: String, readonly: Bool? = nil) { self.path = path; self.readonly = readonly }
    }

    public struct Mount: Codable, Equatable, Sendable {
        public var destination: String
        public var type: String?
        public var source: String?
        public var options: [String]?
        public init(destination: String, type: String?, source: String?, options: [String]?) {
            self.destination = destination; self.type = type; self.source = source; self.options = options
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
        public init() {}
    }

    public struct Namespace: Codable, Equatable, Sendable {
        public var type: String
        public var path: String?
        public init(type: String, path: String? = nil) { self.type = type; self.path = path }
    }

    public struct Resources: Codable, Equatable, Sendable {
        public var memory: Memory?
        public var cpu: CPU?
        public var pids: Pids?
        public init() {}
        public struct Memory: Codable, Equatable, Sendable {
            public var limit: Int64?
            public var reservation: Int64?
            public init(limit: Int64? = nil) { self.limit = limit }
        }
        public struct CPU: Codable, Equatable, Sendable {
            public var shares: UInt64?
            public var quota: Int64?
            public var period: UInt64?
            public var cpus: String?
            public var mems: String?
            public init() {}
        }
        public struct Pids: Codable, Equatable, Sendable {
            public var limit: Int64
            public init(limit: Int64) { self.limit = limit }
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
                self.names = names; self.action = action; self.errnoRet = errnoRet; self.args = args
            }
        }
        public struct Arg: Codable, Equatable, Sendable {
            public var index: UInt32
            public var value: UInt64
            public var valueTwo: UInt64?
            public var op: String
            public init(index: UInt32, value: UInt64, valueTwo: UInt64? = nil, op: String) {
                self.index = index; self.value = value; self.valueTwo = valueTwo; self.op = op
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
}
