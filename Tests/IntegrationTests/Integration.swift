import Foundation
import Testing

/// Every integration test lives in this one serialized suite (extensions in
/// the other files): they share the host, and the leak checks compare it
/// before and after each test.
@Suite(.serialized, .enabled(if: TestHost.isRoot, "integration tests start real pods and need root"))
struct Integration {
    let host = TestHost.shared

    init() throws {
        if let error = TestHost.shared.setupError { throw IntegrationSetupError(message: error) }
    }
}

struct IntegrationSetupError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
