/// One challenge of a `WWW-Authenticate` header (RFC 7235): a scheme and its
/// parameters. Registries answer 401 with
/// `Bearer realm="https://auth.example/token",service="registry",scope="repository:app:pull"`
/// and expect a token fetched from the realm; some answer `Basic realm="..."`.
public struct AuthChallenge: Equatable, Sendable {
    public var scheme: String  // lowercased: "bearer", "basic"
    public var parameters: [String: String]  // names lowercased, values unquoted

    public init(scheme: String, parameters: [String: String]) {
        self.scheme = scheme
        self.parameters = parameters
    }

    /// Every challenge in a header value, in order. Quoted values may hold commas,
    /// `=` and backslash escapes; unknown schemes are kept so the caller can name them.
    public static func parse(_ header: String) -> [AuthChallenge] {
        var scanner = Scanner(Array(header.unicodeScalars))
        var challenges: [AuthChallenge] = []
        while true {
            scanner.skip { $0 == " " || $0 == "\t" || $0 == "," }
            guard let word = scanner.token(), !word.isEmpty else { break }
            // `name=` starts a parameter of the current challenge; a bare word starts a new challenge.
            scanner.skip { $0 == " " || $0 == "\t" }
            if scanner.peek == "=", !challenges.isEmpty {
                scanner.advance()
                scanner.skip { $0 == " " || $0 == "\t" }
                let value = scanner.peek == "\"" ? scanner.quoted() : (scanner.token() ?? "")
                challenges[challenges.count - 1].parameters[word.lowercased()] = value
            } else if scanner.peek == "=" {
                break  // a parameter before any scheme: not a challenge header
            } else {
                challenges.append(AuthChallenge(scheme: word.lowercased(), parameters: [:]))
            }
        }
        return challenges
    }

    private struct Scanner {
        let scalars: [Unicode.Scalar]
        var position = 0
        init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

        var peek: Unicode.Scalar? { position < scalars.count ? scalars[position] : nil }
        mutating func advance() { position += 1 }

        mutating func skip(while matches: (Unicode.Scalar) -> Bool) {
            while let c = peek, matches(c) { advance() }
        }

        /// An RFC 7230 token (also the base64 `token68` form some servers send).
        mutating func token() -> String? {
            var out = String.UnicodeScalarView()
            while let c = peek, c != " ", c != "\t", c != ",", c != "=", c != "\"" {
                out.append(c)
                advance()
            }
            // token68 may end in '=' padding, which is never followed by a value.
            while peek == "=", position + 1 >= scalars.count || [" ", ","].contains(scalars[position + 1]) {
                out.append("=")
                advance()
            }
            return out.isEmpty ? nil : String(out)
        }

        mutating func quoted() -> String {
            advance()  // opening quote
            var out = String.UnicodeScalarView()
            while let c = peek {
                advance()
                if c == "\"" { break }
                if c == "\\", let escaped = peek {
                    out.append(escaped)
                    advance()
                    continue
                }
                out.append(c)
            }
            return String(out)
        }
    }
}
