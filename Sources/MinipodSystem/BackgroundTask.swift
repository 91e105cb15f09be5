import Glibc

/// A result computed on a thread of its own; `value()` waits for it (and may be
/// called again). The supervisor sets up the pod network this way while it
/// creates the first container, and CNI adds the subnet's masquerade rule while
/// the plugins run. A joined pthread, not Foundation's Thread: the layers below
/// the CLI reach threads without Foundation.
public final class BackgroundTask<T>: @unchecked Sendable {
    /// Written by the thread before it ends, read after the join.
    private final class Outcome {
        var result: Result<T, Error>?
    }

    private let outcome = Outcome()
    private var thread: pthread_t?

    public init(_ body: @escaping () throws -> T) {
        let outcome = self.outcome
        let entry = Unmanaged.passRetained(ThreadEntry { outcome.result = Result { try body() } })
        var handle = pthread_t()
        if pthread_create(&handle, nil, ThreadEntry.start, entry.toOpaque()) == 0 {
            thread = handle
        } else {
            // No thread to be had (EAGAIN under a pids limit): the work runs here, now.
            entry.takeRetainedValue().run()
        }
    }

    public func value() throws -> T {
        if let handle = thread {
            pthread_join(handle, nil)
            thread = nil
        }
        return try outcome.result!.get()
    }

    deinit {
        if let handle = thread { pthread_join(handle, nil) }
    }
}

/// What a new thread runs: not generic, since a C start routine cannot carry a type parameter.
private final class ThreadEntry {
    let run: () -> Void
    init(_ run: @escaping () -> Void) { self.run = run }

    static let start: @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? = { raw in
        Unmanaged<ThreadEntry>.fromOpaque(raw!).takeRetainedValue().run()
        return nil
    }
}
