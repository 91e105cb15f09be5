import Foundation
import Testing

/// Every container gets the default seccomp profile (RuntimeDefault, as a
/// kubelet with --seccomp-default), and `seccompProfile: {type: Unconfined}`
/// turns it off, for the pod or one container. `unshare -U` needs no
/// capability, so only the profile stands between a container and a new
/// user namespace: the default profile refuses it (unshare without
/// CAP_SYS_ADMIN), an unconfined container may.
extension Integration {
    @Test func unconfinedTurnsTheDefaultSeccompProfileOff() throws {
        defer { host.cleanup(["seccomp-profiles"]) }
        let path = host.manifest(
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: seccomp-profiles
            spec:
              securityContext:
                seccompProfile: {type: Unconfined}
              containers:
                - name: pod-unconfined
                  image: busybox:1.36
                  command: ["sleep", "3600"]
                - name: runtime-default
                  image: busybox:1.36
                  command: ["sleep", "3600"]
                  securityContext:
                    seccompProfile: {type: RuntimeDefault}
            ---
            apiVersion: v1
            kind: Pod
            metadata:
              name: seccomp-default
            spec:
              containers:
                - name: default
                  image: busybox:1.36
                  command: ["sleep", "3600"]
                - name: unconfined
                  image: busybox:1.36
                  command: ["sleep", "3600"]
                  securityContext:
                    seccompProfile: {type: Unconfined}
            """)
        defer { host.cleanup(["seccomp-default"]) }
        let run = host.run(["run", path])
        try #require(run.status == 0, "\(run.stderr)")
        func probe(_ pod: String, _ container: String) -> String {
            host.run([
                "exec", pod, "-c", container, "--", "sh", "-c",
                "grep Seccomp: /proc/self/status; unshare -U true 2>&1 && echo new user namespace",
            ]).stdout
        }
        let refused = "Seccomp:\t2\nunshare: unshare(0x10000000): Operation not permitted\n"
        let allowed = "Seccomp:\t0\nnew user namespace\n"
        #expect(probe("seccomp-default", "default") == refused)
        #expect(probe("seccomp-default", "unconfined") == allowed)
        #expect(probe("seccomp-profiles", "pod-unconfined") == allowed, "the pod's profile applies to its containers")
        #expect(probe("seccomp-profiles", "runtime-default") == refused, "a container's own profile wins over the pod's")
    }
}
