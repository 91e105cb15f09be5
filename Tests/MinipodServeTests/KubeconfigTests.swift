import Foundation
import Testing
import Yams

@testable import MinipodServe

struct KubeconfigTests {
    @Test func mergingKeepsOtherContextsAndMakesMinipodCurrent() throws {
        let existing = """
            apiVersion: v1
            kind: Config
            clusters: [{name: prod, cluster: {server: "https://prod:6443"}}, {name: minipod, cluster: {server: "https://old"}}]
            users: [{name: prod, user: {token: abc}}]
            contexts: [{name: prod, context: {cluster: prod, user: prod}}]
            current-context: prod
            """
        let merged = try Kubeconfig.merged(existing, server: "https://127.0.0.1:6443", caPEM: "PEM", token: "t0k")
        let config = try #require(try Yams.load(yaml: merged) as? [String: Any])
        #expect(config["current-context"] as? String == "minipod")
        let clusters = try #require(config["clusters"] as? [[String: Any]])
        #expect(clusters.compactMap { $0["name"] as? String }.sorted() == ["minipod", "prod"], "the old minipod entry is replaced, prod kept")
        let minipod = try #require(clusters.first { $0["name"] as? String == "minipod" }?["cluster"] as? [String: Any])
        #expect(minipod["server"] as? String == "https://127.0.0.1:6443")
        #expect(minipod["certificate-authority-data"] as? String == Data("PEM".utf8).base64EncodedString())
        let users = try #require(config["users"] as? [[String: Any]])
        #expect((users.first { $0["name"] as? String == "minipod" }?["user"] as? [String: Any])?["token"] as? String == "t0k")
    }

    @Test func aNewKubeconfigHasOnlyMinipod() throws {
        let config = try #require(try Yams.load(yaml: try Kubeconfig.merged(nil, server: "https://x", caPEM: "P", token: "t")) as? [String: Any])
        #expect((config["contexts"] as? [Any])?.count == 1)
        #expect(config["kind"] as? String == "Config")
    }

    @Test func credentialsAreMadeOnceWithPrivateKeysAndReused() throws {
        let dir = NSTemporaryDirectory() + "pki-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let pki = PKI(directory: dir)
        let first = try pki.ensure(hostNames: ["vm", "10.0.0.5"])
        let again = try pki.ensure(hostNames: ["vm"])
        #expect(first.token == again.token && first.certificatePEM == again.certificatePEM)
        #expect(first.token.count == 64)
        for file in ["ca.key", "server.key", "admin.token"] {
            let mode = try FileManager.default.attributesOfItem(atPath: dir + "/" + file)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(file)")
        }
        #expect(first.certificatePEM.hasPrefix("-----BEGIN CERTIFICATE-----"))
    }
}
