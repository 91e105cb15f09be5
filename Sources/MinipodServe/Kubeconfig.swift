import Foundation
import MinipodSystem
import Yams

/// The kubeconfig that lets kubectl in: a cluster, a user and a context named
/// "minipod". Merged into an existing file (made current, other entries kept) as
/// `kind create cluster` does, or written alone to the file `--kubeconfig` names.
public enum Kubeconfig {
    public static let name = "minipod"

    public static func entries(server: String, caPEM: String, token: String) -> (cluster: [String: Any], user: [String: Any], context: [String: Any])
    {
        (
            ["name": name, "cluster": ["server": server, "certificate-authority-data": Data(caPEM.utf8).base64EncodedString()]],
            ["name": name, "user": ["token": token]],
            ["name": name, "context": ["cluster": name, "user": name, "namespace": "default"]]
        )
    }

    /// `existing` (a kubeconfig's text, or nil) with the minipod entries put in and made current.
    public static func merged(_ existing: String?, server: String, caPEM: String, token: String) throws -> String {
        var config: [String: Any] = ["apiVersion": "v1", "kind": "Config", "preferences": [String: Any]()]
        if let existing, !existing.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            guard let loaded = try Yams.load(yaml: existing) as? [String: Any] else {
                throw MinipodError(.invalidArgument, "the kubeconfig to merge into is not a YAML mapping")
            }
            config = loaded
        }
        let (cluster, user, context) = entries(server: server, caPEM: caPEM, token: token)
        for (key, entry) in [("clusters", cluster), ("users", user), ("contexts", context)] {
            var list = (config[key] as? [Any] ?? []).compactMap { $0 as? [String: Any] }.filter { ($0["name"] as? String) != name }
            list.append(entry)
            config[key] = list
        }
        config["current-context"] = name
        return try Yams.dump(object: config, sortKeys: true)
    }

    /// Writes (mode 0600) or merges the kubeconfig at `path`.
    public static func write(to path: String, merge: Bool, server: String, caPEM: String, token: String) throws {
        let existing = merge ? try? String(contentsOfFile: path, encoding: .utf8) : nil
        let text = try merged(existing, server: server, caPEM: caPEM, token: token)
        try FileIO.makeDirectories((path as NSString).deletingLastPathComponent, mode: 0o700)
        try FileIO.writeAtomically(path, text, mode: 0o600)
    }

    /// Where kubectl looks: the first file of $KUBECONFIG, else ~/.kube/config.
    public static func defaultPath() -> String {
        let env = ProcessInfo.processInfo.environment
        if let first = env["KUBECONFIG"]?.split(separator: ":").first, !first.isEmpty { return String(first) }
        return (env["HOME"] ?? "/root") + "/.kube/config"
    }
}
