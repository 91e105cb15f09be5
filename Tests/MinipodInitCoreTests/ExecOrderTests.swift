import Glibc
import MinipodInitCore
import MinipodInitProtocol
import MinipodOCI
import MinipodSystem
import Testing

/// exec mode (`minipod exec`, `oci exec`, probes): join, fork with the caller's
/// signals passed on, wait; checked against the recording fake.
struct ExecOrderTests {
    static let joined: [Sys.Namespaces] = [.ipc, .uts, .net, .pid, .cgroup, .mount]

    /// A container (pid 77) in namespaces of its own but the user namespace, on a kernel without time namespaces.
    func exec(
        terminal: Bool = false, _ configure: (RecordingSyscalls) -> Void = { _ in }
    ) throws -> (RecordingSyscalls, Result<ContainerExec.Outcome, Error>, reportedAt: Int?) {
        var spec = try Fixture.ociDefault().spec
        spec.process?.args = ["sh", "-c", "sleep 60"]
        spec.process?.terminal = terminal
        var config = InitConfig(mode: .exec, spec: spec, name: "web")
        config.targetPid = 77
        config.cgroupProcs = ["/sys/fs/cgroup/minipod/test/cgroup.procs"]
        let fake = RecordingSyscalls()
        fake.addFile("/bin/sh", executable: true)
        for ns in [Sys.Namespaces.user] + Self.joined {
            fake.namespaceIDs["/proc/77/ns/\(ns.procName)"] = "\(ns.procName):[1]"
            fake.namespaceIDs["/proc/self/ns/\(ns.procName)"] = ns == .user ? "user:[1]" : "\(ns.procName):[2]"
        }
        fake.missingProcEntries = ["/proc/77/ns/time"]
        configure(fake)
        var reportedAt: Int?
        let outcome = Result {
            try ContainerExec(config: config, seccomp: nil, syncSocket: 3, syscalls: fake).run { _ in reportedAt = fake.calls.count }
        }
        return (fake, outcome, reportedAt)
    }

    /// Calls other than the rlimits Launch.prepare sets.
    func steps(_ fake: RecordingSyscalls) -> [RecordedCall] {
        fake.calls.filter { if case .setResourceLimit = $0 { false } else { true } }
    }

    @Test func theCommandIsForkedWithSignalsPassedOnAfterEveryJoin() throws {
        let (fake, outcome, reportedAt) = try exec { $0.exitStatus = .signaled(SIGTERM) }
        let opens = [Sys.Namespaces.ipc, .uts, .net, .pid, .cgroup, .time, .mount].map { "/proc/77/ns/\($0.procName)" }
        #expect(
            steps(fake) == [.joinCgroup(["/sys/fs/cgroup/minipod/test/cgroup.procs"]), .openProcEntry("/proc/77/root")]
                + opens.map { .openProcEntry($0) } + Self.joined.map { .setns($0) } + (11...16).map { .closeDescriptor($0) }
                + [
                    .chdir("/"), .forkForwarding([SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGWINCH, SIGUSR1, SIGUSR2]), .waitForExit(4242),
                    .closeDescriptor(10),
                ])
        // The launcher learns the pid between the fork and the wait.
        let fork = try #require(fake.calls.firstIndex { if case .forkForwarding = $0 { true } else { false } })
        #expect(reportedAt == fork + 1)
        // A command ended by the forwarded SIGTERM: the caller sees 143, as from the command itself.
        #expect(try outcome.get() == .commandEnded(exitCode: 143))
    }

    @Test func aStatusThatCannotBeWaitedForEndsTheWait() throws {
        let (fake, outcome, _) = try exec { $0.fail(with: ECHILD) { $0 == .waitForExit(4242) } }
        #expect(try outcome.get() == .commandEnded(exitCode: ContainerExec.statusLostExitCode))
        #expect(fake.calls.filter { $0 == .waitForExit(4242) }.count == 1)
    }

    @Test func aContainerThatIsGoneIsReportedAndNothingIsForked() throws {
        let (fake, outcome, _) = try exec { $0.missingProcEntries.insert("/proc/77/root") }
        #expect(throws: MinipodError.self) { try outcome.get() }
        #expect("\(outcome)".contains("container web is not running"))
        #expect(!fake.calls.contains { if case .forkForwarding = $0 { true } else { false } })
        let (gone, nsOutcome, _) = try exec { $0.missingProcEntries.insert("/proc/77/ns/net") }
        #expect("\(nsOutcome)".contains("container web is not running"))
        #expect(!gone.calls.contains { if case .setns = $0 { true } else { false } }, "no namespace is joined when one is missing")
    }

    @Test func aMultithreadedCallerJoinsNothing() throws {
        let (fake, outcome, _) = try exec { $0.threads = 2 }
        #expect("\(outcome)".contains("single-threaded"))
        #expect(!fake.calls.contains { if case .setns = $0 { true } else { false } })
    }

    @Test func aContainerWithoutItsOwnMountNamespaceIsEnteredByChroot() throws {
        let (fake, _, _) = try exec { $0.namespaceIDs["/proc/self/ns/mnt"] = "mnt:[1]" }
        let calls = steps(fake)
        #expect(!calls.contains(.setns(.mount)))
        let chroot = try #require(calls.firstIndex(of: .chrootInto(10)))
        let lastJoin = try #require(calls.lastIndex { if case .setns = $0 { true } else { false } })
        #expect(lastJoin < chroot)
    }

    @Test func aTerminalIsSentBeforeTheForkAndBecomesTheChildsSession() throws {
        let (parent, _, _) = try exec(terminal: true)
        let calls = steps(parent)
        let send = try #require(calls.firstIndex(of: .sendDescriptor(17, socket: 3)))
        let fork = try #require(calls.firstIndex { if case .forkForwarding = $0 { true } else { false } })
        #expect(calls[send - 1] == .openTerminal && send < fork)
        #expect(calls[fork + 1] == .closeDescriptor(17), "the parent lets go of the master")

        let (child, outcome, reportedAt) = try exec(terminal: true) { $0.forkResult = 0 }
        let childCalls = steps(child)
        let childFork = try #require(childCalls.firstIndex { if case .forkForwarding = $0 { true } else { false } })
        #expect(Array(childCalls[(childFork + 1)...(childFork + 2)]) == [.closeDescriptor(17), .becomeTerminalSession("/dev/pts/3")])
        let lastStep = childCalls.last { if case .closeDescriptor = $0 { false } else { true } }
        #expect(lastStep.map { if case .execute = $0 { true } else { false } } == true, "execve is the child's last step")
        #expect(reportedAt == nil, "only the parent reports a pid")
        // The fake's execve "fails" with errno 0: the child exits with 126, as runc for a command that cannot run.
        #expect(try outcome.get() == .execFailed(exitCode: 126))
    }
}
