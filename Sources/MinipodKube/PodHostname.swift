/// The hostname a pod's containers see. kubelet takes spec.hostname or the
/// pod's name; a name may have 253 characters but a hostname only 64 (the
/// kernel's HOST_NAME_MAX), so, as kubelet's truncatePodHostnameIfNeeded, it
/// is cut to 63 and a trailing '-' or '.' left by the cut is dropped.
public enum PodHostname {
    public static let maxLength = 63

    public static func of(_ pod: Pod) -> String {
        let name = pod.spec.hostname ?? pod.metadata.name
        guard name.count > maxLength else { return name }
        var cut = name.prefix(maxLength)
        while let last = cut.last, last == "-" || last == "." { cut = cut.dropLast() }
        return String(cut)
    }
}
