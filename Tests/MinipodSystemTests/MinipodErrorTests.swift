import Glibc
import Testing

@testable import MinipodSystem

struct MinipodErrorTests {
    @Test func wrappingAddsContextAndKeepsTheRest() {
        let cause = MinipodError(.system, "open /dev/fuse", field: "linux.devices[0]", errno: ENOENT)
        let wrapped = cause.wrapped("container web")
        #expect(wrapped.message == "container web: open /dev/fuse")
        #expect(wrapped.code == .system && wrapped.field == "linux.devices[0]" && wrapped.errno == ENOENT)
        #expect(wrapped.description == "linux.devices[0]: container web: open /dev/fuse: No such file or directory")
        #expect(cause.located(at: "spec.containers[0].image").description == "spec.containers[0].image: open /dev/fuse: No such file or directory")
    }

    @Test func podErrorsCarryTheAPIsReason() {
        #expect(MinipodError.podNotFound("web").reason == .notFound)
        #expect(MinipodError.podNotFound("web").message == "pods \"web\" not found")
        #expect(MinipodError.podAlreadyExists("web").message == "pods \"web\" already exists")
        #expect(MinipodError.podAlreadyExists("web", "is being deleted").reason == .alreadyExists)
        // A wrapped pod error is still the API's: its reason stays.
        #expect(MinipodError.podNotFound("web").wrapped("get").reason == .notFound)
        #expect(MinipodError(.notFound, "image busybox:9 is not loaded").reason == nil)
    }
}
