import Foundation
import MinipodSystem

/// The files kubelet writes for every container of a pod: /etc/hosts, /etc/resolv.conf, /etc/hostname.
public enum PodFiles {
    public static func hosts(podIP: String?, hostname: String, aliases: [(ip: String, hostnames: [String])] = []) -> String {
        var text = """
            # Kubernetes-managed hosts file.
            127.0.0.1\tlocalhost
            ::1\tlocalhost ip6-localhost ip6-loopback
            fe00::0\tip6-localnet
            fe00::0\tip6-mcastprefix
            fe00::1\tip6-allnodes
            fe00::2\tip6-allrouters

            """
        if let podIP { text += "\(podIP)\t\(hostname)\n" }
        if !aliases.isEmpty {
            text += "\n# Entries added by HostAliases.\n"
            for alias in aliases { text += "\(alias.ip)\t\(alias.hostnames.joined(separator: "\t"))\n" }
        }
        return text
    }

    /// The host's resolv.conf without loopback resolvers (they are unreachable from the pod's netns).
    public static func resolvConf(
        host: String = (try? FileIO.readString("/etc/resolv.conf")) ?? "",
        nameservers: [String]? = nil, searches: [String]? = nil, options: [String]? = nil
    ) -> String {
        var servers: [String] = []
        var search: [String] = []
        var opts: [String] = []
        for line in host.split(separator: "\n") {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let key = words.first else { continue }
            let rest = Array(words.dropFirst())
            switch key {
            case "nameserver":
                if let ip = rest.first, !ip.hasPrefix("127."), ip != "::1" { servers.append(ip) }
            case "search": search = rest
            case "options": opts += rest
            default: break
            }
        }
        if let nameservers { servers += nameservers }
        if let searches { search += searches }
        if let options { opts += options }
        var text = ""
        if !search.isEmpty { text += "search \(search.joined(separator: " "))\n" }
        for server in servers.prefix(3) { text += "nameserver \(server)\n" }
        if !opts.isEmpty { text += "options \(opts.joined(separator: " "))\n" }
        return text
    }
}
