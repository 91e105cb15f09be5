import Foundation
import MinipodKube
import MinipodSystem
import Testing

@testable import MinipodAPIModel

/// What kubectl prints comes from these Status objects.
struct BodyAndStatusTests {
    func body(_ container: String) -> Data {
        Data(#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"},"spec":{"containers":[\#(container)]}}"#.utf8)
    }

    @Test func unknownFieldsUnderStrictAreAStrictDecodingError() throws {
        let data = body(#"{"name":"c","image":"busybox:1.36","comand":["sleep"]}"#)
        #expect(
            throws: APIStatus.badRequest(
                #"Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].comand""#)
        ) {
            try PodBody.decode(data, fieldValidation: "Strict")
        }
        let lenient = try? PodBody.decode(data, fieldValidation: "Warn")
        #expect(lenient?.warnings.first?.contains("unknown field \"spec.containers[0].comand\"") == true, "\(String(describing: lenient?.warnings))")
        #expect(try PodBody.decode(data, fieldValidation: "Ignore").warnings.isEmpty)
    }

    @Test func invalidPodsAre422WithACausePerField() {
        let data = body(#"{"name":"c","image":"busybox:1.36","volumeMounts":[{"name":"nosuch","mountPath":"/x"}]}"#)
        do {
            _ = try PodBody.decode(data, fieldValidation: "Strict")
            Issue.record("accepted an invalid pod")
        } catch let status as APIStatus {
            #expect(status.code == 422 && status.reason == "Invalid")
            #expect(status.details?.kind == "Pod" && status.details?.name == "web")
            #expect(status.details?.causes?.first?.field == "spec.containers[0].volumeMounts[0].name", "\(status)")
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test func libraryErrorsBecomeTheAPIServersStatuses() {
        #expect(APIStatus.from(MinipodError(.notFound, "pods \"x\" not found"), pod: "x").code == 404)
        #expect(APIStatus.from(MinipodError(.alreadyExists, "pods \"x\" already exists"), pod: "x").reason == "AlreadyExists")
        let forbidden = APIStatus.from(
            MinipodError(.invalidManifest, PodUpdateRules.forbiddenMessage(pod: "x", paths: ["spec.containers[0].command"])), pod: "x")
        #expect(forbidden.code == 422 && forbidden.message?.hasPrefix("The Pod \"x\" is invalid: spec: Forbidden") == true)
        #expect(forbidden.details?.causes?.first?.field == "spec")
        #expect(APIStatus.noResource("services").code == 404)
    }

    @Test func podTablesHaveKubectlsColumnsWithTheWideOnesAtPriorityOne() throws {
        var pod = Pod(
            metadata: ObjectMeta(name: "web", namespace: "default", creationTimestamp: "2026-01-01T00:00:00Z"), spec: PodSpec(containers: []))
        pod.spec.nodeName = "vm"
        let table = Tables.pods([(pod, [:])], resourceVersion: "9", now: KubeTime.parse("2026-01-01T00:05:00Z")!)
        let columns = try #require(table["columnDefinitions"] as? [[String: Any]])
        #expect(
            columns.map { $0["name"] as? String } == [
                "Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node", "Readiness Gates",
            ])
        #expect(columns.map { $0["priority"] as? Int } == [0, 0, 0, 0, 0, 1, 1, 1, 1])
        let cells = try #require((table["rows"] as? [[String: Any]])?.first?["cells"] as? [Any])
        #expect(cells[0] as? String == "web" && cells[4] as? String == "5m" && cells[6] as? String == "vm")
        #expect((table["metadata"] as? [String: String])?["resourceVersion"] == "9")
    }
}
