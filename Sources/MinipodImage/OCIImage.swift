import Foundation

/// OCI image-spec documents (index, manifest, config), the fields minipod reads.
public struct OCIDescriptor: Codable, Equatable, Sendable {
    public var mediaType: String
    public var digest: String
    public var size: Int64
    public var annotations: [String: String]?
    public var platform: Platform?

    public struct Platform: Codable, Equatable, Sendable {
        public var architecture: String
        public var os: String
        public var variant: String?
    }
}

public struct OCIIndex: Codable, Sendable {
    public var schemaVersion: Int = 2
    public var mediaType: String? = "application/vnd.oci.image.index.v1+json"
    public var manifests: [OCIDescriptor]
}

public struct OCIManifest: Codable, Sendable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var config: OCIDescriptor
    public var layers: [OCIDescriptor]
}

public struct OCIImageConfig: Codable, Sendable {
    public var architecture: String?
    public var os: String?
    public var created: String?
    public var config: Config?
    public var rootfs: RootFS

    public struct Config: Codable, Sendable {
        public var User: String?
        public var Env: [String]?
        public var Entrypoint: [String]?
        public var Cmd: [String]?
        public var WorkingDir: String?
        public var StopSignal: String?
        public var ExposedPorts: [String: EmptyObject]?
        public var Labels: [String: String]?
    }

    public struct RootFS: Codable, Sendable {
        public var type: String
        public var diff_ids: [String]
    }
}

public struct EmptyObject: Codable, Sendable {}

/// An image ready to run: its config and the unpacked layer directories, lowest first.
public struct Image: Sendable {
    public var reference: String
    public var digest: String  // manifest digest
    public var configDigest: String
    public var config: OCIImageConfig
    public var layerDirectories: [String]
    public var size: Int64
}
