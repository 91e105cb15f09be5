import MinipodImage
import Testing

struct AuthChallengeTests {
    @Test func bearerChallengeOfARegistry() {
        let header = #"Bearer realm="https://auth.example.test/token",service="registry.example.test",scope="repository:team/app:pull""#
        #expect(
            AuthChallenge.parse(header) == [
                AuthChallenge(
                    scheme: "bearer",
                    parameters: [
                        "realm": "https://auth.example.test/token", "service": "registry.example.test", "scope": "repository:team/app:pull",
                    ])
            ])
    }

    @Test func commasAndEscapesInsideQuotesBelongToTheValue() {
        let header = #"Bearer realm="http://127.0.0.1:1/t", scope="repository:a:pull,push", error="say \"hi\"""#
        let parsed = AuthChallenge.parse(header)
        #expect(parsed.count == 1)
        #expect(parsed.first?.parameters["scope"] == "repository:a:pull,push")
        #expect(parsed.first?.parameters["error"] == #"say "hi""#)
    }

    @Test func schemeAndParameterNamesAreCaseInsensitiveUnquotedValuesAllowed() {
        let parsed = AuthChallenge.parse("BASIC Realm=registry")
        #expect(parsed == [AuthChallenge(scheme: "basic", parameters: ["realm": "registry"])])
    }

    @Test func severalChallengesInOneHeader() {
        let parsed = AuthChallenge.parse(#"Basic realm="r1", Bearer realm="https://t.test/token",service="s""#)
        #expect(parsed.map(\.scheme) == ["basic", "bearer"])
        #expect(parsed[0].parameters == ["realm": "r1"])
        #expect(parsed[1].parameters == ["realm": "https://t.test/token", "service": "s"])
    }

    @Test func emptyOrGarbageGivesNoUsableChallenge() {
        #expect(AuthChallenge.parse("").isEmpty)
        #expect(AuthChallenge.parse("   ,  ").isEmpty)
        #expect(AuthChallenge.parse("realm=\"x\"").isEmpty)
    }
}
