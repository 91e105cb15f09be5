import MinipodPod
import Testing

struct ImagePullPolicyTests {
    typealias Plan = ImagePullPolicy.Plan

    @Test(arguments: [
        // policy, present, names a registry, plan
        ("Never", true, false, Plan.useLocal), ("Never", false, true, .failNeverPull), ("Never", false, false, .failNeverPull),
        ("IfNotPresent", true, true, .useLocal), ("IfNotPresent", true, false, .useLocal),
        ("IfNotPresent", false, true, .pull), ("IfNotPresent", false, false, .failNotPresent),
        ("Always", true, false, .pull), ("Always", true, true, .pull), ("Always", false, false, .pull), ("Always", false, true, .pull),
    ])
    func kubeletsRule(policy: String, present: Bool, namesRegistry: Bool, plan: Plan) {
        #expect(ImagePullPolicy.plan(policy: policy, present: present, namesRegistry: namesRegistry) == plan)
    }
}
