import Foundation
import Testing

extension Integration {
    /// Two `run`s of the same pod at once: exactly one wins, the other is AlreadyExists.
    @Test func concurrentRunsOfOnePodHaveOneWinner() throws {
        defer { host.cleanup(["sidecar-demo"]) }
        let results = DataBoxArray()
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            results.append(host.run(["run", host.example("sidecar-pod.yaml")]))
        }
        let all = results.items
        #expect(all.filter { $0.status == 0 }.count == 1, "\(all.map(\.stderr))")
        #expect(all.contains { $0.stderr.contains("AlreadyExists") }, "\(all.map(\.stderr))")
        #expect(host.run(["get", "pods"]).stdout.contains("sidecar-demo   2/2     Running"))
    }

    /// Different pods started at once all come up with their own addresses.
    @Test func concurrentRunsOfDifferentPodsAllSucceed() throws {
        let names = (1...4).map { "para-\($0)" }
        defer { host.cleanup(names) }
        let paths = names.map { name in
            host.manifest(
                """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: \(name)
                spec:
                  containers:
                    - name: app
                      image: busybox:1.36
                      command: ["sleep", "3600"]
                """, name: name)
        }
        let results = DataBoxArray()
        DispatchQueue.concurrentPerform(iterations: names.count) { i in results.append(host.run(["run", paths[i]])) }
        #expect(results.items.allSatisfy { $0.status == 0 }, "\(results.items.map(\.stderr))")
        let ips = Set(names.compactMap { host.podIP($0) })
        #expect(ips.count == names.count)
    }

    /// A memory limit is enforced by the container's cgroup and reported as OOMKilled.
    @Test func memoryLimitKillsWithOOMKilled() throws {
        defer { host.cleanup(["hungry"]) }
        let path = host.manifest(
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: hungry
            spec:
              restartPolicy: Never
              containers:
                - name: app
                  image: busybox:1.36
                  command: ["sh", "-c", "head -c 200m /dev/zero | tail"]
                  resources:
                    limits:
                      memory: 32Mi
            """, name: "hungry")
        _ = host.run(["apply", "-f", path])
        var table = ""
        #expect(
            host.eventually(15) {
                table = host.run(["get", "pods"]).stdout
                return table.contains("OOMKilled")
            }, "\(table)")
        #expect(host.run(["get", "pod", "hungry", "-o", "yaml"]).stdout.contains("reason: OOMKilled"))
    }

    /// Native sidecar (initContainers with restartPolicy: Always): starts before the
    /// main containers, keeps running beside them, counts in READY.
    @Test func nativeSidecarRunsBesideTheMainContainer() throws {
        defer { host.cleanup(["native"]) }
        let path = host.manifest(
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: native
            spec:
              initContainers:
                - name: sidecar
                  image: busybox:1.36
                  restartPolicy: Always
                  command: ["sh", "-c", "echo sidecar up > /shared/up; exec sleep 3600"]
                  volumeMounts:
                    - name: shared
                      mountPath: /shared
              containers:
                - name: app
                  image: busybox:1.36
                  command: ["sh", "-c", "cat /shared/up; exec sleep 3600"]
                  volumeMounts:
                    - name: shared
                      mountPath: /shared
              volumes:
                - name: shared
                  emptyDir: {}
            """, name: "native")
        let run = host.run(["run", path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(host.run(["get", "pods"]).stdout.contains("native   2/2     Running"))
        #expect(host.eventually(5) { host.run(["logs", "native", "-c", "app"]).stdout == "sidecar up\n" })
    }
}

final class DataBoxArray: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [TestHost.Result] = []
    func append(_ r: TestHost.Result) {
        lock.lock()
        storage.append(r)
        lock.unlock()
    }
    var items: [TestHost.Result] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }
}
