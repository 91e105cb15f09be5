/// A Pod as the Kubernetes v1 API returns it; this one value is what
/// state.json stores and what `get -o yaml|json` prints.
public struct Pod: Codable, Equatable, Sendable {
    public var apiVersion: String
    public var kind: String
    public var metadata: ObjectMeta
    public var spec: PodSpec
    public var status: PodStatus?

    public init(
        apiVersion: String = "v1", kind: String = "Pod", metadata: ObjectMeta,
        spec: PodSpec, status: PodStatus? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

public struct ObjectMeta: Codable, Equatable, Sendable {
    public var name: String
    public var namespace: String?
    public var uid: String?
    public var resourceVersion: String?
    public var generation: Int?
    public var creationTimestamp: String?
    public var deletionTimestamp: String?
    public var deletionGracePeriodSeconds: Int?
    public var labels: [String: String]?
    public var annotations: [String: String]?

    public init(
        name: String, namespace: String? = nil, uid: String? = nil,
        resourceVersion: String? = nil, generation: Int? = nil,
        creationTimestamp: String? = nil, deletionTimestamp: String? = nil,
        deletionGracePeriodSeconds: Int? = nil, labels: [String: String]? = nil,
        annotations: [String: String]? = nil
    ) {
        self.name = name
        self.namespace = namespace
        self.uid = uid
        self.resourceVersion = resourceVersion
        self.generation = generation
        self.creationTimestamp = creationTimestamp
        self.deletionTimestamp = deletionTimestamp
        self.deletionGracePeriodSeconds = deletionGracePeriodSeconds
        self.labels = labels
        self.annotations = annotations
    }
}
