import MinipodSystem
import Testing

@testable import MinipodKube

@Suite struct LabelSelectorTests {
    let web = ["app": "web", "tier": "front"]

    @Test(arguments: [
        ("app=web", true), ("app==web", true), ("app=db", false), ("app!=db", true), ("app!=web", false),
        ("tier", true), ("!tier", false), ("!owner", true), ("app=web,tier=front", true), ("app=web,tier=back", false),
        ("app = web", true),
    ])
    func equalityRequirements(selector: String, matches: Bool) throws {
        #expect(try LabelSelector(selector).matches(web) == matches)
    }

    @Test func aPodWithoutLabelsMatchesOnlyNegations() throws {
        #expect(try LabelSelector("!app").matches(nil))
        #expect(try LabelSelector("app!=web").matches(nil))
        #expect(try !LabelSelector("app").matches(nil))
    }

    @Test func setBasedSelectorsAreRefusedByName() {
        #expect(throws: MinipodError.self) { try LabelSelector("app in (web,db)") }
        do { _ = try LabelSelector("app in (web)") } catch {
            #expect("\(error)".contains("set-based selectors are not supported"), "\(error)")
        }
    }
}
