/// minipod implements emptyDir and hostPath; the loader rejects every other
/// Kubernetes volume type by name instead of silently mounting nothing.
public struct Volume: Codable, Equatable, Sendable {
    public var name: String
    public var hostPath: HostPathVolumeSource?
    public var emptyDir: EmptyDirVolumeSource?

    public init(name: String, emptyDir: EmptyDirVolumeSource? = nil, hostPath: HostPathVolumeSource? = nil) {
        self.name = name
        self.emptyDir = emptyDir
        self.hostPath = hostPath
    }
}

public struct EmptyDirVolumeSource: Codable, Equatable, Sendable {
    /// "" (node disk) or "Memory" (one tmpfs for the whole pod).
    public var medium: String?
    public var sizeLimit: String?

    public init(medium: String? = nil, sizeLimit: String? = nil) {
        self.medium = medium
        self.sizeLimit = sizeLimit
    }
}

public struct HostPathVolumeSource: Codable, Equatable, Sendable {
    public var path: String
    /// "", DirectoryOrCreate, Directory, FileOrCreate, File, Socket, CharDevice, BlockDevice.
    public var type: String?

    public init(path: String, type: String? = nil) {
        self.path = path
        self.type = type
    }
}
