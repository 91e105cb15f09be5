import Foundation
import MinipodKube
import MinipodSystem

// libFuzzer harness for the manifest reader (issue #9). Each input is the bytes
// of a manifest file, fed to ManifestLoader.load(data:), which is everything
// `minipod run -f FILE` / `apply` / `delete -f` do after reading the file:
// size limit, UTF-8 check, YAMLLimits (depth estimate, node count, aliases),
// multi-document YAML through Yams/libyaml, the schema walk, decoding and
// PodValidator. Then what `run` does next with each pod (PodDefaults,
// validation again, state.json and `get -o json|yaml` encodings).
//
// A finding is: a crash or hang anywhere in there, an error that is not a
// MinipodError(.invalidManifest), or one of these broken promises:
//  - without warnings, --strict reads the same pods (strict only turns
//    unknown/duplicate-field warnings into errors);
//  - a loaded pod stays valid once API defaults are applied (else `run`
//    refuses a manifest that loads);
//  - state.json round-trips (JSON encode, decode: the same pod);
//  - `get -o yaml` output loads back as the same pod (kubectl users re-apply it).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzManifest(_ start: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let data = Data(bytes: start, count: size)
    guard let load = loadOrRefuse(data, strict: false) else { return 0 }
    if load.warnings.isEmpty {
        let strictLoad = loadOrRefuse(data, strict: true)
        check(strictLoad == load, "--strict read the manifest differently although it has no warnings: \(String(describing: strictLoad))")
    }
    for pod in load.pods { checkAsRunUsesIt(pod) }
    return 0
}

/// The load's result, or nil when it refused the input the way it should (MinipodError, invalidManifest).
private func loadOrRefuse(_ data: Data, strict: Bool) -> ManifestLoad? {
    do {
        return try ManifestLoader.load(data: data, source: "fuzz.yaml", strict: strict)
    } catch let error as MinipodError {
        check(error.code == .invalidManifest, "refused with code \(error.code), not invalidManifest: \(error)")
        return nil
    } catch {
        fail("threw \(type(of: error)), not MinipodError: \(error)")
    }
}

private func checkAsRunUsesIt(_ loaded: Pod) {
    var pod = loaded
    PodDefaults.apply(to: &pod)
    let problems = PodValidator.problems(in: pod)
    check(problems.isEmpty, "a pod that loaded is invalid once defaults are applied: \(problems)")
    do {
        let state = try JSONDecoder().decode(Pod.self, from: JSONEncoder().encode(pod))
        check(state == pod, "state.json does not round-trip: \(pod) became \(state)")
        _ = try PodPrinter.encodeJSON(pod)
        let yaml = try PodPrinter.encodeYAML(pod)
        let again = try ManifestLoader.parse(yaml, source: "get-o-yaml")
        check(again.pods == [pod], "`get -o yaml` output does not load back as the same pod:\n\(yaml)\nloaded: \(again.pods)")
    } catch {
        fail("encoding a loaded pod failed: \(error)")
    }
}

private func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fail(message()) }
}

/// Abort so libFuzzer records the input as a crash and prints why.
private func fail(_ message: String) -> Never {
    fputs("fuzz-manifest: \(message)\n", stderr)
    abort()
}
