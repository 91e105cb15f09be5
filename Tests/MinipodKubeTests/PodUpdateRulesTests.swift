import Testing

@testable import MinipodKube

/// kubectl apply on a pod that exists: what may change in place.
@Suite struct PodUpdateRulesTests {
    func applied(_ name: String) throws -> Pod {
        var p = try #require(ManifestLoader.load(path: examplePath(name)).pods.first)
        PodDefaults.apply(to: &p)
        return p
    }

    /// As minipod stores it: the node it runs on filled in, status and identity added.
    func stored(_ pod: Pod) -> Pod {
        var s = pod
        s.spec.nodeName = "host-1"
        s.metadata.uid = "u-1"
        s.metadata.resourceVersion = "7"
        s.status = PodStatus(phase: "Running")
        return s
    }

    @Test func theSameManifestIsUnchanged() throws {
        let p = try applied("sidecar-pod.yaml")
        #expect(PodUpdateRules.compare(desired: p, stored: stored(p)) == .unchanged)
    }

    @Test func labelsAndAnnotationsChangeInPlace() throws {
        var p = try applied("sidecar-pod.yaml")
        let before = stored(p)
        p.metadata.labels = ["tier": "web"]
        p.metadata.annotations = ["note": "x"]
        #expect(PodUpdateRules.compare(desired: p, stored: before) == .configured(labels: ["tier": "web"], annotations: ["note": "x"], images: [:]))
    }

    @Test func aSpecChangeIsForbiddenAndNamesTheFields() throws {
        var p = try applied("localhost-demo.yaml")
        let before = stored(p)
        p.spec.containers[0].image = "nginx:1.26"
        p.spec.containers[1].args = ["other"]
        p.spec.restartPolicy = "Never"
        #expect(
            PodUpdateRules.compare(desired: p, stored: before)
                == .forbidden(["spec.containers[1].args", "spec.restartPolicy"]))
        let message = PodUpdateRules.forbiddenMessage(pod: "localhost-demo", paths: ["spec.restartPolicy"])
        #expect(message.hasPrefix("The Pod \"localhost-demo\" is invalid: spec: Forbidden: "))
        #expect(message.contains("spec.restartPolicy") && message.contains("delete the pod and apply the manifest again"))
    }

    /// kubelet restarts a container whose image changed; minipod does the same.
    @Test func containerImagesMayChange() throws {
        var p = try applied("localhost-demo.yaml")
        let before = stored(p)
        p.spec.containers[1].image = "nginx:1.25"
        #expect(
            PodUpdateRules.compare(desired: p, stored: before)
                == .configured(labels: p.metadata.labels, annotations: p.metadata.annotations, images: ["http-server": "nginx:1.25"]))
    }

    @Test func initContainerImagesOnlyOfNativeSidecars() throws {
        var p = try applied("init-sidecar.yaml")
        p.spec.initContainers?.append(Container(name: "proxy", image: "busybox:1.36", restartPolicy: "Always"))
        let before = stored(p)
        var sidecar = p
        sidecar.spec.initContainers?[1].image = "nginx:1.25"
        #expect(
            PodUpdateRules.compare(desired: sidecar, stored: before)
                == .configured(labels: p.metadata.labels, annotations: p.metadata.annotations, images: ["proxy": "nginx:1.25"]))
        var ordinary = p
        ordinary.spec.initContainers?[0].image = "nginx:1.25"
        #expect(PodUpdateRules.compare(desired: ordinary, stored: before) == .forbidden(["spec.initContainers[0].image"]))
    }

    @Test func aNodeNameInTheManifestMustMatch() throws {
        var p = try applied("sidecar-pod.yaml")
        let before = stored(p)
        p.spec.nodeName = "elsewhere"
        #expect(PodUpdateRules.compare(desired: p, stored: before) == .forbidden(["spec.nodeName"]))
    }
}
