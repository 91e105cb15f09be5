import Testing

@testable import MinipodKube

@Suite struct CommandResolutionTests {
    let entrypoint = ["/docker-entrypoint.sh"]
    let cmd = ["nginx", "-g", "daemon off;"]

    @Test func commandAndArgs() {
        #expect(
            resolveCommand(command: ["sh", "-c"], args: ["echo hi"], imageEntrypoint: entrypoint, imageCmd: cmd)
                == ["sh", "-c", "echo hi"])
    }

    @Test func commandOnlyIgnoresImageCmd() {
        #expect(resolveCommand(command: ["sleep"], args: nil, imageEntrypoint: entrypoint, imageCmd: cmd) == ["sleep"])
    }

    @Test func argsOnlyUseImageEntrypoint() {
        #expect(
            resolveCommand(command: nil, args: ["nginx", "-T"], imageEntrypoint: entrypoint, imageCmd: cmd)
                == ["/docker-entrypoint.sh", "nginx", "-T"])
        #expect(resolveCommand(command: [], args: ["x"], imageEntrypoint: nil, imageCmd: cmd) == ["x"])
    }

    @Test func neitherUsesImage() {
        #expect(
            resolveCommand(command: nil, args: nil, imageEntrypoint: entrypoint, imageCmd: cmd)
                == ["/docker-entrypoint.sh", "nginx", "-g", "daemon off;"])
        #expect(resolveCommand(command: [], args: [], imageEntrypoint: nil, imageCmd: ["sh"]) == ["sh"])
    }

    @Test func expandsVariablesInCommandAndArgsOnly() {
        let env = ["GREETING": "hello", "PORT": "8080"]
        #expect(
            resolveCommand(
                command: ["echo", "$(GREETING)"], args: ["-p", "$(PORT)", "$(MISSING)"],
                imageEntrypoint: ["$(PORT)"], imageCmd: nil, environment: env)
                == ["echo", "hello", "-p", "8080", "$(MISSING)"])
        #expect(
            resolveCommand(
                command: nil, args: ["$(PORT)"], imageEntrypoint: ["$(PORT)"], imageCmd: nil,
                environment: env) == ["$(PORT)", "8080"])
    }

    @Test(arguments: [
        ("$(A)", "a"), ("$$(A)", "$(A)"), ("$$$(A)", "$a"), ("x$(A)y$(B)z", "xaybz"), ("$(C)", "$(C)"),
        ("$", "$"), ("a$", "a$"), ("$x", "$x"), ("$(A", "$(A"), ("$()", "$()"), ("$$", "$"), ("$$$$", "$$"),
        ("echo $((COUNT + 1))", "echo $((COUNT + 1))"), ("$(A)$(A)", "aa"),
    ])
    func expansion(input: String, expected: String) {
        #expect(expandVariables(input, ["A": "a", "B": "b"]) == expected)
    }

    @Test func environmentExpandsEarlierVariables() {
        let env = containerEnvironment(
            [
                EnvVar(name: "HOST", value: "db"), EnvVar(name: "URL", value: "http://$(HOST):$(PORT)/"),
                EnvVar(name: "PORT", value: "5432"),
                EnvVar(name: "POD_IP", valueFrom: EnvVarSource(fieldRef: ObjectFieldSelector(fieldPath: "status.podIP"))),
                EnvVar(name: "HOST", value: "$(HOST)-2"),
            ], fieldValue: { $0 == "status.podIP" ? "10.88.0.5" : nil })
        #expect(env.map(\.name) == ["HOST", "URL", "PORT", "POD_IP"])
        #expect(env.map(\.value) == ["db-2", "http://db:$(PORT)/", "5432", "10.88.0.5"])
    }
}
