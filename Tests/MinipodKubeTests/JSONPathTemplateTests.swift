import MinipodSystem
import Testing

@testable import MinipodKube

/// `get -o jsonpath=…` as kubectl renders the templates tutorials use.
@Suite struct JSONPathTemplateTests {
    struct List: Encodable { var items: [Pod] }

    func pod(_ name: String, ip: String, labels: [String: String]) throws -> Pod {
        var p = try #require(ManifestLoader.load(path: examplePath("localhost-demo.yaml")).pods.first)
        p.metadata.name = name
        p.metadata.labels = labels
        p.metadata.annotations = ["kubectl.kubernetes.io/default-container": "nginx"]
        p.status = PodStatus(phase: "Running", podIP: ip)
        return p
    }

    func render(_ template: String, _ value: some Encodable) throws -> String {
        try JSONPathTemplate(template).render(value)
    }

    @Test func fieldsIndexesAndWildcards() throws {
        let p = try pod("web", ip: "10.86.0.9", labels: ["app": "web", "tier": "front"])
        #expect(try render("{.status.podIP}", p) == "10.86.0.9")
        #expect(try render("ip={.status.podIP}!", p) == "ip=10.86.0.9!")
        #expect(try render("{.spec.containers[0].name}", p) == "nginx")
        #expect(try render("{.spec.containers[-1].name}", p) == "http-server")
        #expect(try render("{.spec.containers[*].name}", p) == "nginx http-server")
        #expect(try render("{$.metadata.name}", p) == "web")
        #expect(try render("{.metadata.annotations['kubectl.kubernetes.io/default-container']}", p) == "nginx")
        #expect(try render(#"{.metadata.annotations.kubectl\.kubernetes\.io/default-container}"#, p) == "nginx")
    }

    @Test func objectsPrintAsCompactJSONAndMissingFieldsAsNothing() throws {
        let p = try pod("web", ip: "10.86.0.9", labels: ["tier": "front", "app": "web"])
        #expect(try render("{.metadata.labels}", p) == #"{"app":"web","tier":"front"}"#)
        #expect(try render("{.spec.containers[0].ports}", p) == #"[{"containerPort":80}]"#)
        #expect(try render("[{.metadata.nosuch}]", p) == "[]")
        #expect(try render("{.spec.containers[7].name}", p) == "")
    }

    @Test func rangeOverTheItemsOfAList() throws {
        let list = List(items: [try pod("a", ip: "10.0.0.1", labels: [:]), try pod("b", ip: "10.0.0.2", labels: [:])])
        #expect(try render(#"{range .items[*]}{.metadata.name}{"\t"}{.status.podIP}{"\n"}{end}"#, list) == "a\t10.0.0.1\nb\t10.0.0.2\n")
        #expect(try render("{.items[*].metadata.name}", list) == "a b")
    }

    @Test(arguments: [
        ("{.status", "unclosed action"),
        ("{range .items[*]}{.a}", "{range} without {end}"),
        ("{.items[?(@.a==1)]}", "is not supported"),
        ("{.a..b}", "empty field name"),
        ("{end}", "{end} without {range}"),
    ])
    func badTemplatesAreNamed(template: String, expected: String) {
        #expect(throws: MinipodError.self) { try JSONPathTemplate(template) }
        do { _ = try JSONPathTemplate(template) } catch {
            #expect("\(error)".contains(expected), "\(error)")
        }
    }
}
