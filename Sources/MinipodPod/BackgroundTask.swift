import Foundation

/// A result computed on a thread of its own; `value()` waits for it (and may
/// be called again). The supervisor sets up the pod network this way while
/// it creates the first container.
final class BackgroundTask<T>: @unchecked Sendable {
    private var result: Result<T, Error>?
    private let finished = DispatchSemaphore(value: 0)

    init(_ work: @escaping () throws -> T) {
        let thread = Thread { [self] in
            result = Result { try work() }
            finished.signal()
        }
        thread.start()
    }

    func value() throws -> T {
        finished.wait()
        finished.signal()  // later calls return at once
        return try result!.get()
    }
}
