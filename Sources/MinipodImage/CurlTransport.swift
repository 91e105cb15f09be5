import Foundation
import MinipodSystem

/// The registry transport: curl(1), run per request, as Digest runs sha256sum.
///
/// Why curl and not a Swift HTTP library:
/// - FoundationNetworking's URLSession is itself libcurl underneath, and linking it into
///   the static `minipod` binary makes libcurl and its ~30 shared libraries (TLS, Kerberos,
///   LDAP, ...) load on every CLI call and every supervisor start. Measured here with a
///   trivial `-static-stdlib` program: 2.2 ms with Foundation, 10.6 ms once URLSession is
///   linked (binary 8.9 MB → 72 MB). It would have to live in a separate helper binary.
/// - AsyncHTTPClient brings SwiftNIO and BoringSSL (minutes of build on two cores, in CI on
///   every run) and MinipodImage may only depend on Foundation and the project's own layers.
/// - curl is the same well-kept libcurl, with the system's CA store, proxy variables and
///   TLS, costs nothing when minipod does not pull, and streams a blob to disk while
///   `sha256sum` hashes it (no second read). It drops our Authorization header when a
///   blob redirects to another host (storage back ends reject it).
/// Each request's options, secrets included, reach curl as a config on stdin (`--config -`),
/// so tokens and passwords never show in `ps`.
public struct CurlTransport: RegistryTransport {
    public static let curl = "/usr/bin/curl"
    /// Where header dumps go while a request runs (the store's tmp directory).
    let scratch: String

    public init(scratch: String) { self.scratch = scratch }

    public func get(_ request: RegistryRequest) throws -> RegistryResponse {
        let headerFile = try temporaryPath("headers")
        defer { unlink(headerFile) }
        // 4 MiB is the manifest size limit registries themselves apply.
        let config = try Self.config(for: request, headerFile: headerFile, extra: ["max-filesize = 4194304"])
        let result = try Spawn.run(Self.curl, ["--config", "-"], input: Array(config.utf8))
        guard case .exited(let code) = result.status else { throw failure(request, code: -1, stderr: result.stderr) }
        if code != 0 { throw failure(request, code: code, stderr: result.stderr) }
        let (status, headers) = try Self.parseHeaders(try FileIO.readString(headerFile), url: request.url)
        return RegistryResponse(status: status, headers: headers, body: result.stdout)
    }

    public func download(_ request: RegistryRequest, to file: String) throws -> RegistryResponse {
        let headerFile = try temporaryPath("headers")
        defer { unlink(headerFile) }
        let config = try Self.config(for: request, headerFile: headerFile, extra: [])
        // curl's stdin is the config; the body goes to the file and to sha256sum at once.
        let script = "curl --config - | tee -- \"$1\" | sha256sum; echo \"minipod-pipestatus ${PIPESTATUS[*]}\" >&2"
        let result = try Spawn.run("/bin/bash", ["-c", script, "bash", file], input: Array(config.utf8))
        var stderrLines = String(decoding: result.stderr, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        guard let statusLine = stderrLines.last, statusLine.hasPrefix("minipod-pipestatus ") else {
            throw MinipodError(.imageError, "downloading \(request.url) failed: \(stderrLines.joined(separator: " "))")
        }
        stderrLines.removeLast()
        let codes = statusLine.split(separator: " ").dropFirst().compactMap { Int32($0) }
        guard codes.count == 3 else { throw MinipodError(.internal, "unexpected pipeline status \"\(statusLine)\"") }
        if codes[0] != 0 { throw failure(request, code: codes[0], stderr: Array(stderrLines.joined(separator: "\n").utf8)) }
        if codes[1] != 0 || codes[2] != 0 {
            throw MinipodError(.imageError, "cannot write \(file): \(stderrLines.joined(separator: " "))")
        }
        let (status, headers) = try Self.parseHeaders(try FileIO.readString(headerFile), url: request.url)
        let hex = String(decoding: result.stdout, as: UTF8.self).split(separator: " ").first.map(String.init) ?? ""
        guard hex.count == 64 else { throw MinipodError(.internal, "sha256sum printed \"\(hex)\"") }
        let response = RegistryResponse(status: status, headers: headers, body: [], sha256: "sha256:" + hex)
        if response.isSuccess { return response }
        // An error answer is a small JSON document: hand it back instead of a blob.
        var errorResponse = response
        errorResponse.body = Array((try? FileIO.readBytes(file))?.prefix(65536) ?? [])
        unlink(file)
        return errorResponse
    }

    // MARK: curl's config and answers

    /// curl's config-file syntax: one option a line, values in double quotes with
    /// `\"` and `\\` escaped. A value holding a line break could add options: refused.
    static func config(for request: RegistryRequest, headerFile: String, extra: [String]) throws -> String {
        func quoted(_ value: String) throws -> String {
            guard !value.contains(where: { $0 == "\n" || $0 == "\r" }) else {
                throw MinipodError(.invalidArgument, "a line break is not allowed in an HTTP request field")
            }
            return "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        var lines =
            [
                "url = \(try quoted(request.url))",
                "dump-header = \(try quoted(headerFile))",
                "silent", "show-error",
                "globoff",  // [::1] is a host, not a glob
                "location", "max-redirs = 10",  // blobs may redirect to storage; Authorization is not sent to another host
                "proto = \"=http,https\"", "proto-redir = \"=http,https\"",
                "connect-timeout = 15",
                "speed-limit = 1", "speed-time = 60",  // a stalled transfer fails instead of hanging
            ] + extra
        if !request.verifyTLS { lines.append("insecure") }
        for header in request.headers { lines.append("header = \(try quoted(header))") }
        if let credentials = request.basicCredentials { lines.append("user = \(try quoted(credentials))") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The status and headers of the last response in a `--dump-header` file (one block per redirect).
    static func parseHeaders(_ dump: String, url: String) throws -> (Int, [String: String]) {
        let lines = dump.replacingOccurrences(of: "\r", with: "").split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.lastIndex(where: { $0.hasPrefix("HTTP/") }) else {
            throw MinipodError(.imageError, "\(url): no HTTP response")
        }
        let statusFields = lines[start].split(separator: " ")
        guard statusFields.count >= 2, let status = Int(statusFields[1]) else {
            throw MinipodError(.imageError, "\(url): malformed status line \"\(lines[start])\"")
        }
        var headers: [String: String] = [:]
        for line in lines[(start + 1)...] {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers[name] = headers[name].map { $0 + ", " + value } ?? value
        }
        return (status, headers)
    }

    /// curl's exit codes (curl(1) "EXIT CODES") as errors: not reaching the host is
    /// `.network`, which pod creation treats differently from a registry's refusal.
    func failure(_ request: RegistryRequest, code: Int32, stderr: [UInt8]) -> MinipodError {
        // "curl: (7) Failed to connect to …" → "Failed to connect to …"
        var detail = String(decoding: stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            .replacingOccurrences(of: "curl: ", with: "")
        if detail.hasPrefix("("), let close = detail.firstIndex(of: ")") {
            detail = detail[detail.index(after: close)...].trimmingCharacters(in: .whitespaces)
        }
        let host =
            URLComponents(string: request.url)?.host.map { h in URLComponents(string: request.url)?.port.map { "\(h):\($0)" } ?? h } ?? request.url
        switch code {
        case 5, 6, 7, 28:
            return MinipodError(.network, "registry \(host) is unreachable: \(detail)")
        case 35, 51, 53, 54, 58, 59, 60, 64, 66, 77, 80, 82, 83, 90, 91:
            return MinipodError(
                .imageError,
                "TLS with registry \(host) failed (\(detail)); for a registry without a valid certificate, or one that speaks plain HTTP, pull with --tls-verify=false"
            )
        case 52, 55, 56:
            return MinipodError(.imageError, "registry \(host) broke the connection (\(detail))")
        case 63:
            return MinipodError(.imageError, "\(request.url): the answer is larger than a manifest may be")
        default:
            return MinipodError(.imageError, "GET \(request.url) failed: curl exit \(code) (\(detail))")
        }
    }

    private func temporaryPath(_ what: String) throws -> String {
        try FileIO.makeDirectories(scratch)
        return scratch + "/curl-\(what)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }
}
