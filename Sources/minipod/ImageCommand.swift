import ArgumentParser
import Foundation
import MinipodImage
import MinipodPod
import MinipodSystem

struct ImageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image",
        abstract: "Load and list images.",
        subcommands: [Load.self, List.self])

    struct Load: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load an OCI image archive (podman save --format oci-archive, skopeo oci-archive:, Images/ recipes).",
            discussion: "Example: minipod image load /var/cache/minipod/images/nginx_1.25.tar")

        @Argument(help: "Archive files.")
        var files: [String]

        @Option(help: "Name:tag for an archive whose index has no name.")
        var tag: String?

        @OptionGroup var global: GlobalOptions

        func run() {
            do {
                let store = ImageStore(root: global.paths.root)
                for file in files {
                    for ref in try store.load(archive: file, tag: tag) { print("Loaded image: \(ref)") }
                }
            } catch {
                fail(error)
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ls", abstract: "List images.", aliases: ["list"])

        @OptionGroup var global: GlobalOptions

        func run() {
            do {
                let images = try ImageStore(root: global.paths.root).list()
                var rows = [["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"]]
                for image in images {
                    let ref = try ImageReference(parsing: image.reference)
                    let created = image.config.created ?? ""
                    rows.append([ref.repository, ref.tag ?? "<none>", String(Digest.hex(image.configDigest).prefix(12)),
                                 String(created.prefix(10)), humanSize(image.size)])
                }
                let widths = (0..<5).map { col in rows.map { $0[col].count }.max()! + 3 }
                for row in rows {
                    print(row.enumerated().map { i, cell in i < 4 ? cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) : cell }.joined())
                }
            } catch {
                fail(error)
            }
        }

        func humanSize(_ bytes: Int64) -> String {
            let units = ["B", "kB", "MB", "GB"]
            var value = Double(bytes)
            var unit = 0
            while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
            return String(format: unit == 0 ? "%.0f %@" : "%.3g %@", value, units[unit])
        }
    }
}
