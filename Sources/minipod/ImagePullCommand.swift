import ArgumentParser
import Foundation
import MinipodImage
import MinipodSystem

extension ImageCommand {
    /// `minipod image pull`: podman's progress lines on stderr, the image id on stdout.
    struct Pull: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pull",
            abstract: "Pull an image from a registry (OCI distribution API).",
            discussion: """
                Plain HTTP is used for localhost, 127.0.0.1 and ::1; other registries need HTTPS \
                unless --tls-verify=false. The image is tagged under the name given.
                Example: minipod image pull 127.0.0.1:5000/test/busybox:1.36
                """)

        @Argument(help: "HOST[:PORT]/NAME[:TAG|@sha256:DIGEST]")
        var reference: String

        @Option(name: .customLong("tls-verify"), help: "Check the registry's certificate; false also allows plain HTTP.")
        var tlsVerify = true

        @Option(help: "USER:PASSWORD for the registry or its token service (anonymous without).")
        var creds: String?

        @OptionGroup var global: GlobalOptions

        func run() {
            do {
                if let creds, !creds.contains(":") {
                    throw MinipodError(.invalidArgument, "--creds must be USER:PASSWORD")
                }
                let pulled = try ImageStore(root: global.paths.root).pull(
                    reference, options: RegistryClient.Options(verifyTLS: tlsVerify, credentials: creds), progress: printErr)
                print(pulled.imageID)
            } catch {
                fail(error)
            }
        }
    }
}
