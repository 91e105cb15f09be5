/// The name formats Kubernetes validation uses, with its error wording
/// shortened; each returns nil when valid or the reason when not.
public enum NameRules {
    static func isAlnumLower(_ c: Character) -> Bool { c.isASCII && (c.isLowercase || c.isNumber) }
    static func isAlnum(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber) }

    /// RFC 1123 label: container, volume and namespace names.
    public static func dnsLabel(_ name: String) -> String? {
        let ok = name.count <= 63 && isSubdomainPart(Substring(name))
        return ok
            ? nil
            : "invalid name \"\(name)\": must be a lowercase RFC 1123 label (at most 63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit)"
    }

    /// RFC 1123 subdomain: pod names (the API server's ValidatePodName).
    static func dnsSubdomain(_ name: String) -> String? {
        isDNSSubdomain(name)
            ? nil
            : "invalid name \"\(name)\": must be a lowercase RFC 1123 subdomain (at most 253 characters of a-z, 0-9, '-' and '.', each dot-separated part starting and ending with a letter or digit)"
    }

    /// Kubernetes' IsDNS1123Subdomain: only the whole is limited (253), not each
    /// part, so a pod may be named with 100 characters and no dot. Label prefixes too.
    static func isDNSSubdomain(_ name: String) -> Bool {
        name.count <= 253 && name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy(isSubdomainPart)
    }

    private static func isSubdomainPart(_ part: Substring) -> Bool {
        !part.isEmpty && part.allSatisfy { isAlnumLower($0) || $0 == "-" } && isAlnumLower(part.first!) && isAlnumLower(part.last!)
    }

    /// Kubernetes' C_IDENTIFIER-like rule for env names (IsEnvVarName).
    static func envName(_ name: String) -> String? {
        let allowed: (Character) -> Bool = { $0.isASCII && ($0.isLetter || $0.isNumber || "_-.".contains($0)) }
        let ok = !name.isEmpty && name.allSatisfy(allowed) && !(name.first!.isNumber)
        return ok
            ? nil : "invalid environment variable name \"\(name)\": must consist of letters, digits, '_', '-' or '.', and must not start with a digit"
    }

    /// IANA_SVC_NAME: named container ports and probe ports.
    static func portName(_ name: String) -> String? {
        let ok =
            !name.isEmpty && name.count <= 15 && name.allSatisfy { isAlnumLower($0) || $0 == "-" }
            && name.contains(where: { $0.isLetter }) && name.first != "-" && name.last != "-" && !name.contains("--")
        return ok
            ? nil
            : "invalid port name \"\(name)\": must be at most 15 characters of a-z, 0-9 and '-', contain a letter, and not start, end or double '-'"
    }

    private static func isQualifiedPart(_ part: Substring) -> Bool {
        !part.isEmpty && part.count <= 63 && part.allSatisfy { isAlnum($0) || "-_.".contains($0) }
            && isAlnum(part.first!) && isAlnum(part.last!)
    }

    static func labelKey(_ key: String) -> String? {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        let ok: Bool
        switch parts.count {
        case 1: ok = isQualifiedPart(parts[0])
        case 2: ok = isDNSSubdomain(String(parts[0])) && !parts[0].isEmpty && isQualifiedPart(parts[1])
        default: ok = false
        }
        return ok
            ? nil
            : "invalid label key \"\(key)\": must be a name of at most 63 characters (letters, digits, '-', '_', '.') with an optional DNS prefix and '/'"
    }

    static func labelValue(_ value: String) -> String? {
        value.isEmpty || isQualifiedPart(Substring(value))
            ? nil
            : "invalid label value \"\(value)\": must be empty or at most 63 characters (letters, digits, '-', '_', '.') starting and ending with a letter or digit"
    }

    /// A plausible image reference: [registry/]path[:tag][@digest], path lowercase.
    static func imageReference(_ image: String) -> String? {
        let bad = { (why: String) in "invalid image reference \"\(image)\": \(why)" }
        if image.isEmpty { return "is required" }
        if image.contains(where: { $0.isWhitespace }) { return bad("must not contain whitespace") }
        var rest = Substring(image)
        if let at = rest.firstIndex(of: "@") {
            let digest = rest[rest.index(after: at)...]
            let parts = digest.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, !parts[0].isEmpty, parts[1].count >= 32, parts[1].allSatisfy(\.isHexDigit) else {
                return bad("digest must look like sha256:<hex>")
            }
            rest = rest[..<at]
        }
        if let colon = rest.lastIndex(of: ":"), !rest[colon...].contains("/") {
            let tag = rest[rest.index(after: colon)...]
            guard !tag.isEmpty, tag.count <= 128, tag.allSatisfy({ isAlnum($0) || "_.-".contains($0) }),
                tag.first != ".", tag.first != "-"
            else { return bad("tag must be 1-128 of letters, digits, '_', '.', '-'") }
            rest = rest[..<colon]
        }
        var components = rest.split(separator: "/", omittingEmptySubsequences: false)
        if components.count > 1, let first = components.first,
            first.contains(".") || first.contains(":") || first == "localhost"
        {
            components.removeFirst()  // registry host[:port] may hold capitals and a port
        }
        for component in components {
            guard !component.isEmpty, component.allSatisfy({ isAlnumLower($0) || "._-".contains($0) }),
                isAlnumLower(component.first!), isAlnumLower(component.last!)
            else {
                return bad("repository name must be lowercase letters, digits and separators")
            }
        }
        return nil
    }
}
