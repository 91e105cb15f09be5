import MinipodSystem

/// Runs `call` and, when it fails, tells the failure as `what` with the same code and
/// errno: the caller knows a better name for it than the bare call ("chroot <rootfs>", not "chroot .").
func reported<T>(as what: @autoclosure () -> String, _ call: () throws -> T) throws -> T {
    do { return try call() } catch let e as MinipodError {
        throw MinipodError(e.code, what(), field: e.field, errno: e.errno)
    }
}
