/// The two real specs every order test runs against.
enum SpecKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case ociDefault
    case pod

    var description: String { rawValue }

    func fixture() throws -> Fixture {
        switch self {
        case .ociDefault: return try .ociDefault()
        case .pod: return try .pod()
        }
    }

    /// Where PATH lookup in the rootfs finds process.args[0].
    var executable: String {
        switch self {
        case .ociDefault: return "/bin/sh"
        case .pod: return "/usr/sbin/nginx"
        }
    }
}
