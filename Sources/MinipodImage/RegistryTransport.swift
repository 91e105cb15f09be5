import Foundation
import MinipodSystem

/// One HTTP GET of the registry protocol. Secrets (tokens, basic credentials)
/// travel in these fields, never in a command line.
public struct RegistryRequest: Sendable {
    public var url: String
    public var headers: [String] = []  // "Name: value"
    public var basicCredentials: String?  // "user:password"
    public var verifyTLS = true

    public init(url: String, headers: [String] = [], basicCredentials: String? = nil, verifyTLS: Bool = true) {
        self.url = url
        self.headers = headers
        self.basicCredentials = basicCredentials
        self.verifyTLS = verifyTLS
    }
}

/// The last response after redirects.
public struct RegistryResponse: Sendable {
    public var status: Int
    public var headers: [String: String]  // names lowercased
    /// The body for `get`; for `download`, only an error document (status not 2xx).
    public var body: [UInt8]
    /// For `download`: the sha256 of the bytes written, computed while they streamed.
    public var sha256: String?

    public init(status: Int, headers: [String: String], body: [UInt8], sha256: String? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.sha256 = sha256
    }

    public var isSuccess: Bool { (200..<300).contains(status) }
}

/// How the registry client reaches the network; unit tests put a fake here.
/// A host that cannot be reached throws MinipodError code `.network`.
public protocol RegistryTransport {
    /// A small document (manifest, token, error) kept in memory.
    func get(_ request: RegistryRequest) throws -> RegistryResponse
    /// A blob streamed into `file`, hashed on the way.
    func download(_ request: RegistryRequest, to file: String) throws -> RegistryResponse
}
