import Foundation
import MinipodCgroups
import MinipodOCI
import MinipodSystem
import Testing

@testable import MinipodRuntime

/// The pure parts of `minipod oci`: what tools parse (state, spec, features)
/// and how flags and config fields are read.
struct OCIUnitTests {
    let record = OCIContainerRecord(
        ociVersion: "1.2.0", id: "c1", pid: 4242, pidStartTime: 7, bundle: "/b", rootfs: "/b/rootfs",
        created: "2026-01-01T00:00:00.000Z", cgroupPath: "/minipod-test/c1",
        annotations: ["org.example/key": "v"])

    @Test func stateJSONHasTheRuntimeSpecFieldsInRuncsOrder() throws {
        let text = record.state(.running).json()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["ociVersion"] as? String == "1.2.0")
        #expect(object["id"] as? String == "c1")
        #expect(object["status"] as? String == "running")
        #expect(object["pid"] as? Int == 4242)
        #expect(object["bundle"] as? String == "/b")
        #expect((object["annotations"] as? [String: String])?["org.example/key"] == "v")
        let keys = ["ociVersion", "id", "pid", "status", "bundle", "rootfs", "created", "owner", "annotations"]
        let positions = keys.map { text.range(of: "\"\($0)\"")!.lowerBound }
        #expect(positions == positions.sorted(), "keys out of runc's order:\n\(text)")
        #expect(text.contains("\"bundle\": \"/b\""), "slashes must not be escaped:\n\(text)")
    }

    @Test func stoppedStateReportsPidZeroAndNoAnnotationsKeyWhenEmpty() throws {
        var plain = record
        plain.annotations = nil
        let object = try #require(try JSONSerialization.jsonObject(with: Data(plain.state(.stopped).json().utf8)) as? [String: Any])
        #expect(object["pid"] as? Int == 0)
        #expect(object["status"] as? String == "stopped")
        #expect(object["annotations"] == nil)
    }

    @Test(arguments: [("KILL", SIGKILL), ("SIGKILL", SIGKILL), ("9", SIGKILL), ("term", SIGTERM), ("SIGUSR1", SIGUSR1), ("HUP", SIGHUP)])
    func signalNamesAndNumbersParseAsRuncDoes(name: String, number: Int32) {
        #expect(Signals.number(name) == number)
    }

    @Test(arguments: ["BOGUS", "SIGBOGUS", "0", "-1", "99", ""])
    func unknownSignalsAreRejected(name: String) {
        #expect(Signals.number(name) == nil)
    }

    @Test func defaultSpecIsRuncsBusyboxShell() throws {
        let spec = try JSONDecoder().decode(RuntimeSpec.self, from: Data(OCIDefaults.configJSON.utf8))
        #expect(spec.process?.args == ["sh"])
        #expect(spec.process?.terminal == true)
        #expect(spec.process?.noNewPrivileges == true)
        #expect(spec.process?.capabilities?.bounding == ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"])
        #expect(spec.root == .init(path: "rootfs", readonly: true))
        #expect(spec.linux?.namespaces?.map(\.type) == ["pid", "network", "ipc", "uts", "mount", "cgroup"])
        #expect(spec.mounts?.map(\.destination) == ["/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup"])
        #expect(spec.linux?.maskedPaths?.contains("/proc/kcore") == true)
        #expect(spec.linux?.readonlyPaths?.contains("/proc/sys") == true)
    }

    @Test func featuresJSONListsHooksNamespacesAndCgroupVersions() throws {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(OCIDefaults.Features().json().utf8)) as? [String: Any])
        #expect(object["ociVersionMin"] as? String == "1.0.0")
        #expect((object["hooks"] as? [String])?.contains("poststop") == true)
        let linux = try #require(object["linux"] as? [String: Any])
        #expect((linux["namespaces"] as? [String])?.contains("network") == true)
        #expect((linux["cgroup"] as? [String: Bool])?["v1"] == true)
        #expect((linux["seccomp"] as? [String: Any])?["enabled"] as? Bool == true)
    }

    @Test func cgroupsPathForms() throws {
        #expect(try OCICgroupPath.resolve("/libpod_parent/libpod-abc", id: "abc", ownCgroup: "/") == "/libpod_parent/libpod-abc")
        #expect(try OCICgroupPath.resolve(nil, id: "abc", ownCgroup: "/") == "/abc")
        #expect(try OCICgroupPath.resolve("", id: "abc", ownCgroup: "/user.slice") == "/user.slice/abc")
        #expect(try OCICgroupPath.resolve("rel/x", id: "abc", ownCgroup: "/parent") == "/parent/rel/x")
        #expect(try OCICgroupPath.resolve("machine.slice:libpod:abc", id: "abc", ownCgroup: "/") == "/machine.slice/libpod-abc.scope")
        #expect(
            try OCICgroupPath.resolve("system-runc.slice:runc:abc", id: "abc", ownCgroup: "/") == "/system.slice/system-runc.slice/runc-abc.scope")
        #expect(try OCICgroupPath.resolve(":runc:abc", id: "abc", ownCgroup: "/") == "/system.slice/runc-abc.scope")
    }

    @Test(arguments: ["/", "/a/../..", "/.."])
    func cgroupsPathNeverResolvesToTheRoot(path: String) {
        #expect(throws: MinipodError.self) { try OCICgroupPath.resolve(path, id: "abc", ownCgroup: "/") }
    }

    @Test func containerIdsFollowRuncsRule() throws {
        try OCIContainerStore.validate("abc-1.2_x+y")
        for bad in ["", ".", "..", "a/b", "a b", "x;y"] {
            #expect(throws: MinipodError.self, "\(bad)") { try OCIContainerStore.validate(bad) }
        }
    }

    @Test func execProcessKeepsTheContainersProcessAndOverridesEnvByName() {
        var base = RuntimeSpec.Process()
        base.args = ["sleep", "100"]
        base.env = ["PATH=/bin", "A=1"]
        base.cwd = "/srv"
        let p = OCIRuntime.execProcess(base: base, args: ["sh"], tty: true, cwd: nil, env: ["A=2", "B=3"])
        #expect(p.args == ["sh"])
        #expect(p.terminal == true)
        #expect(p.cwd == "/srv")
        #expect(p.env == ["PATH=/bin", "A=2", "B=3"])
        #expect(OCIRuntime.execProcess(base: base, args: ["ls"], tty: false, cwd: "/tmp", env: []).cwd == "/tmp")
    }

    @Test func storeRecordsRoundTripAndStatusIsStoppedForADeadPid() throws {
        let root = NSTemporaryDirectory() + "oci-store-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = OCIContainerStore(root: root)
        try store.reserve("c1")
        #expect(throws: MinipodError.self) { try store.reserve("c1") }
        var dead = record
        dead.pid = Int32.max - 1
        try store.save(dead)
        #expect(try store.load("c1") == dead)
        #expect(store.status(of: dead) == .stopped)
        #expect(store.ids() == ["c1"])
        try store.remove("c1")
        #expect(throws: MinipodError.self) { try store.load("c1") }
    }

    @Test func bundleDeviceRulesAreFollowedByTheDevicesEveryContainerGets() throws {
        let bundle = NSTemporaryDirectory() + "bundle-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: bundle) }
        try FileManager.default.createDirectory(atPath: bundle + "/rootfs", withIntermediateDirectories: true)
        let config =
            #"{"ociVersion":"1.2.0","root":{"path":"rootfs"},"linux":{"resources":{"devices":[{"allow":false,"access":"rwm"},{"allow":true,"type":"c","major":10,"minor":229,"access":"rwm"}]}}}"#
        try config.write(toFile: bundle + "/config.json", atomically: false, encoding: .utf8)
        let devices = try #require(try OCIBundle.load(bundle, id: "x").spec.linux?.resources?.devices)
        #expect(
            devices == [.init(allow: false, access: "rwm"), .init(allow: true, type: "c", major: 10, minor: 229, access: "rwm")]
                + Cgroup.allowedDevices)
    }
}
