import MinipodInitCore

/// What the setup did: every call in order, and the error it stopped with
/// (a LaunchError from the fake's execve, which returns, when nothing else failed).
struct SetupRun {
    let calls: [RecordedCall]
    let error: Error?

    var reachedExec: Bool { calls.last?.isExecute == true && error is LaunchError }

    /// The calls from `first` through `last`, as far as there are any: when a change breaks
    /// the order the test sees a mismatch, not an index out of range that stops every test.
    func calls(from first: Int, through last: Int) -> [RecordedCall] {
        let first = max(first, 0)
        let last = min(last, calls.count - 1)
        return first <= last ? Array(calls[first...last]) : []
    }

    func call(at index: Int) -> RecordedCall? { calls.indices.contains(index) ? calls[index] : nil }

    func first(_ matches: (RecordedCall) -> Bool) -> Int? { calls.firstIndex(where: matches) }

    func last(_ matches: (RecordedCall) -> Bool) -> Int? { calls.lastIndex(where: matches) }

    func all(_ matches: (RecordedCall) -> Bool) -> [Int] { calls.indices.filter { matches(calls[$0]) } }
}
