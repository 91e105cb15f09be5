import Foundation
@testable import MinipodImage
import MinipodSystem
import Testing

/// Inputs that Fuzz/image-metadata (libFuzzer, `make fuzz`) found to break a promise,
/// kept as found (after libFuzzer's -minimize_crash) next to a readable variant.
@Suite struct ImageMetadataFuzzRegressions {
    /// `Bearer realm=http:` passed the scheme check and sent the token request to
    /// "http:?scope=…"; `http:/host/token` has no host for URLComponents either, but curl
    /// would fetch it from "host". A realm without a host is refused before any request.
    @Test(arguments: ["Bearer realm=http:", #"Bearer realm="http:/registry.example/token",service=r"#])
    func tokenRealmWithoutHostIsRefused(header: String) throws {
        let fake = FakeRegistry { _ in RegistryResponse(status: 200, headers: [:], body: Array(#"{"token":"T"}"#.utf8)) }
        let client = RegistryClient(reference: try ImageReference(parsing: "127.0.0.1:5000/app:1"), displayName: "127.0.0.1:5000/app:1",
                                    options: .init(), transport: fake)
        let challenge = try #require(AuthChallenge.parse(header).first)
        #expect(throws: MinipodError.self) { try client.fetchToken(challenge) }
        #expect(fake.requests.isEmpty)
        do { _ = try client.fetchToken(challenge) } catch let error as MinipodError {
            #expect(error.message.contains("named no usable token realm"), "\(error)")
        }
    }
}
