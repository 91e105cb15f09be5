import MinipodInitCore

/// What the setup did: every call in order, and the error it stopped with
/// (a LaunchError from the fake's execve, which returns, when nothing else failed).
struct SetupRun {
    let calls: [RecordedCall]
    let error: Error?

    var reachedExec: Bool { calls.last?.isExecute == true && error is LaunchError }

    func first(_ matches: (RecordedCall) -> Bool) -> Int? { calls.firstIndex(where: matches) }

    func last(_ matches: (RecordedCall) -> Bool) -> Int? { calls.lastIndex(where: matches) }

    func all(_ matches: (RecordedCall) -> Bool) -> [Int] { calls.indices.filter { matches(calls[$0]) } }
}
