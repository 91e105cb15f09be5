import Foundation
import MinipodSystem

/// Runs the standard CNI plugins (bridge, host-local, portmap) on a
/// pod's network namespace, as containerd and CRI-O do.
public struct CNI: Sendable {
    public var configDir: String
    public var pluginDirs: [String]
    public var stateDir: String

    public static let networkName = "minipod"
    public static let defaultSubnet = "10.86.0.0/16"

    public init(
        configDir: String = "/etc/minipod/cni", pluginDirs: [String] = ["/usr/lib/cni", "/opt/cni/bin"],
        stateDir: String = "/var/lib/minipod/cni"
    ) {
        self.configDir = configDir
        self.pluginDirs = pluginDirs
        self.stateDir = stateDir
    }

    /// The iptables binary, for rules the plugins leave behind and the netlink network's own.
    static var iptables: String { ["/usr/sbin/iptables", "/sbin/iptables"].first(where: FileIO.exists) ?? "iptables" }

    public var conflistPath: String { configDir + "/\(Self.networkName).conflist" }

    /// Writes the default network on first use; an existing file is the user's to edit.
    /// ipMasq is off: minipod keeps one masquerade rule for the subnet (SubnetMasquerade).
    public func ensureConfig() throws {
        if FileIO.exists(conflistPath) { return }
        try FileIO.makeDirectories(configDir)
        let conflist = """
            {
              "cniVersion": "1.0.0",
              "name": "\(Self.networkName)",
              "plugins": [
                {
                  "type": "bridge",
                  "bridge": "minipod0",
                  "isGateway": true,
                  "ipMasq": false,
                  "hairpinMode": true,
                  "ipam": {
                    "type": "host-local",
                    "ranges": [[{ "subnet": "\(Self.defaultSubnet)" }]],
                    "routes": [{ "dst": "0.0.0.0/0" }],
                    "dataDir": "\(stateDir)/networks"
                  }
                },
                { "type": "portmap", "capabilities": { "portMappings": true } }
              ]
            }

            """
        try FileIO.writeAtomically(conflistPath, conflist)
    }

    public struct PortMapping: Codable, Sendable {
        public var hostPort: Int
        public var containerPort: Int
        public var `protocol`: String
        public var hostIP: String?
        public init(hostPort: Int, containerPort: Int, protocol: String, hostIP: String?) {
            self.hostPort = hostPort
            self.containerPort = containerPort
            self.protocol = `protocol`
            self.hostIP = hostIP
        }
    }

    func plugins() throws -> (version: String, name: String, plugins: [[String: Any]]) {
        guard let data = FileManager.default.contents(atPath: conflistPath),
            let list = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let plugins = list["plugins"] as? [[String: Any]]
        else {
            throw MinipodError(.network, "\(conflistPath): not a CNI conflist")
        }
        return (list["cniVersion"] as? String ?? "1.0.0", list["name"] as? String ?? Self.networkName, plugins)
    }

    /// The conflist's bridge network: what `--network netlink` joins and the subnet to masquerade.
    public struct BridgeNetwork {
        public var bridge: String
        public var subnet: IPv4Subnet
        public var leaseDirectory: String
        /// The bridge plugin masquerades per pod itself (a conflist written before minipod's own rule).
        public var pluginMasquerades: Bool
    }

    public func bridgeNetwork() throws -> BridgeNetwork {
        try ensureConfig()
        let (_, name, plugins) = try plugins()
        return try bridgeNetwork(name: name, plugins: plugins)
    }

    private func bridgeNetwork(name: String, plugins: [[String: Any]]) throws -> BridgeNetwork {
        guard let bridgePlugin = plugins.first(where: { $0["type"] as? String == "bridge" }),
            let ipamConfig = bridgePlugin["ipam"] as? [String: Any],
            let subnetText = ((ipamConfig["ranges"] as? [[[String: Any]]])?.first?.first?["subnet"] as? String) ?? ipamConfig["subnet"] as? String
        else {
            throw MinipodError(.network, "\(conflistPath): needs a bridge plugin with a host-local subnet")
        }
        let dataDir = ipamConfig["dataDir"] as? String ?? "/var/lib/cni/networks"
        return BridgeNetwork(
            bridge: bridgePlugin["bridge"] as? String ?? "cni0", subnet: try IPv4Subnet(parsing: subnetText),
            leaseDirectory: dataDir + "/" + name, pluginMasquerades: bridgePlugin["ipMasq"] as? Bool == true)
    }

    /// CNI ADD of every plugin of the list; returns the pod's IPv4 address. (lo is up already: Sandbox.)
    public func add(containerID: String, netns: String, portMappings: [PortMapping]) throws -> String? {
        try ensureConfig()
        let (version, name, plugins) = try plugins()
        // The subnet's masquerade rule does not depend on the pod's address: it is
        // checked (and added by the first pod) while the plugins run.
        let subnetNetwork = try? bridgeNetwork(name: name, plugins: plugins)
        let masquerade = subnetNetwork.flatMap { network in
            network.pluginMasquerades ? nil : BackgroundTask { try SubnetMasquerade(subnet: network.subnet, lockDirectory: self.stateDir).ensure() }
        }
        var previous: [String: Any]? = nil
        do {
            for plugin in plugins {
                var config = plugin
                config["cniVersion"] = version
                config["name"] = name
                if let previous { config["prevResult"] = previous }
                if (plugin["capabilities"] as? [String: Any])?["portMappings"] as? Bool == true {
                    if portMappings.isEmpty { continue }
                    config["runtimeConfig"] = [
                        "portMappings": portMappings.map {
                            [
                                "hostPort": $0.hostPort, "containerPort": $0.containerPort, "protocol": $0.protocol.lowercased(),
                                "hostIP": $0.hostIP ?? "",
                            ]
                        }
                    ]
                }
                previous = try invoke(
                    "ADD", type: plugin["type"] as? String ?? "", config: config,
                    containerID: containerID, netns: netns, ifname: "eth0")
            }
            try masquerade?.value()
        } catch {
            _ = try? masquerade?.value()  // a rule added for this pod goes with the pod's teardown
            try? del(containerID: containerID, netns: netns, portMappings: portMappings)
            throw error
        }
        let ips = previous?["ips"] as? [[String: Any]] ?? []
        let v4 = ips.compactMap { $0["address"] as? String }.first { $0.contains(".") }
        return v4.map { String($0.split(separator: "/")[0]) }
    }

    /// CNI DEL in reverse order. Plugins tolerate a netns that is already gone, so this also cleans up after a crash.
    public func del(containerID: String, netns: String, portMappings: [PortMapping]) throws {
        guard FileIO.exists(conflistPath) else { return }
        let (version, name, plugins) = try plugins()
        var firstError: Error? = nil
        for plugin in plugins.reversed() {
            var config = plugin
            config["cniVersion"] = version
            config["name"] = name
            if (plugin["capabilities"] as? [String: Any])?["portMappings"] as? Bool == true {
                if portMappings.isEmpty { continue }
                config["runtimeConfig"] = [
                    "portMappings": portMappings.map {
                        ["hostPort": $0.hostPort, "containerPort": $0.containerPort, "protocol": $0.protocol.lowercased(), "hostIP": $0.hostIP ?? ""]
                    }
                ]
            }
            do {
                _ = try invoke(
                    "DEL", type: plugin["type"] as? String ?? "", config: config,
                    containerID: containerID, netns: FileIO.exists(netns) ? netns : "", ifname: "eth0")
            } catch {
                if firstError == nil { firstError = error }
            }
        }
        if let firstError { throw firstError }
    }

    /// The bridge plugin's DEL without a network namespace (the pod's is gone, as after a
    /// reboot of /run) releases the IPAM lease but leaves its masquerade rules; remove the
    /// POSTROUTING rule that names this container and the chain it jumps to.
    public func removeMasqueradeRules(containerID: String) {
        let iptables = Self.iptables
        guard let listing = try? Spawn.run(iptables, ["-w", "-t", "nat", "-L", "POSTROUTING", "--line-numbers", "-n"]),
            listing.status == .exited(0)
        else { return }
        var doomed: [(Int, String)] = []
        for line in String(decoding: listing.stdout, as: UTF8.self).split(separator: "\n") where line.contains("id: \"\(containerID)\"") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 1, let number = Int(fields[0]) else { continue }
            doomed.append((number, String(fields[1])))
        }
        // Highest rule number first, so the numbers of the others stay valid.
        for (number, chain) in doomed.sorted(by: { $0.0 > $1.0 }) {
            _ = try? Spawn.run(iptables, ["-w", "-t", "nat", "-D", "POSTROUTING", String(number)])
            if chain.hasPrefix("CNI-") {
                _ = try? Spawn.run(iptables, ["-w", "-t", "nat", "-F", chain])
                _ = try? Spawn.run(iptables, ["-w", "-t", "nat", "-X", chain])
            }
        }
    }

    private func pluginPath(_ type: String) throws -> String {
        guard !type.isEmpty, !type.contains("/") else { throw MinipodError(.network, "CNI plugin type \"\(type)\" is invalid") }
        for dir in pluginDirs where FileIO.exists(dir + "/" + type) { return dir + "/" + type }
        throw MinipodError(
            .network,
            "CNI plugin \"\(type)\" not found in \(pluginDirs.joined(separator: ":")); install it with `apt-get install containernetworking-plugins`")
    }

    private func invoke(
        _ command: String, type: String, config: [String: Any], containerID: String, netns: String, ifname: String
    ) throws -> [String: Any]? {
        let path = try pluginPath(type)
        let input = try JSONSerialization.data(withJSONObject: config)
        let env = [
            "CNI_COMMAND=\(command)", "CNI_CONTAINERID=\(containerID)", "CNI_NETNS=\(netns)",
            "CNI_IFNAME=\(ifname)", "CNI_PATH=\(pluginDirs.joined(separator: ":"))",
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        ]
        let r = try Spawn.run(path, [], environment: env, input: Array(input))
        let output = r.stdout.isEmpty ? nil : (try? JSONSerialization.jsonObject(with: Data(r.stdout))) as? [String: Any]
        guard r.status == .exited(0) else {
            let message =
                (output?["msg"] as? String).map { "\($0)\((output?["details"] as? String).map { ": \($0)" } ?? "")" }
                ?? String(decoding: r.stderr + r.stdout, as: UTF8.self)
            throw MinipodError(.network, "CNI \(type) \(command) failed: \(message)")
        }
        return output
    }
}
