import ArgumentParser
import Foundation
import MinipodKube
import MinipodPod
import MinipodSystem

struct Copy: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cp",
        abstract: "Copy files between a container and the host (the container needs tar, as with kubectl cp).",
        discussion: """
            Examples:
              minipod cp sidecar-demo:/var/log/nginx/access.log ./access.log -c log-reader
              minipod cp ./index.html content-sync:/usr/share/nginx/html/index.html -c content-updater
            """)

    @Argument(help: "Source: POD:PATH or a local path.") var source: String
    @Argument(help: "Destination: POD:PATH or a local path.") var destination: String
    @Option(name: .shortAndLong, help: "Container name.") var container: String?
    @OptionGroup var global: GlobalOptions

    func run() {
        do {
            let copy = PodCopy(paths: global.paths)
            func remote(_ s: String) -> (String, String)? {
                guard let colon = s.firstIndex(of: ":"), !s.hasPrefix("/"), !s.hasPrefix(".") else { return nil }
                return (String(s[..<colon]), String(s[s.index(after: colon)...]))
            }
            switch (remote(source), remote(destination)) {
            case ((let pod, let path)?, nil):
                let (key, name) = try resolve(pod)
                try copy.fromPod(key: key, container: name, source: path, destination: destination)
            case (nil, (let pod, let path)?):
                let (key, name) = try resolve(pod)
                try copy.toPod(key: key, container: name, source: source, destination: path)
            default:
                throw MinipodError(.invalidArgument, "one of source and destination must be POD:PATH, the other a local path")
            }
        } catch {
            fail(error)
        }
    }

    private func resolve(_ pod: String) throws -> (String, String) {
        let key = PodPaths.key(namespace: global.ns, name: pod)
        let podObject = try PodStore(paths: global.paths).loadPod(key)
        return (key, try PodLogs.chooseContainer(podObject, requested: container, notice: printErr))
    }
}
