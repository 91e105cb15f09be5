import ArgumentParser
import Foundation
import MinipodImage
import MinipodPod
import MinipodSystem

struct ImageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image",
        abstract: "Pull, load, import, list, inspect and remove images.",
        discussion: """
            Examples:
              minipod image load /var/cache/minipod/images/nginx_1.25.tar
              minipod image pull 127.0.0.1:5000/team/app:1.0
              minipod image ls
            """,
        subcommands: [Pull.self, Load.self, Import.self, List.self, Inspect.self, Remove.self, Prune.self])

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Make a one-layer image from a root filesystem tarball.",
            discussion: "Example: minipod image import rootfs.tar.gz myapp:1.0")

        @Argument var tarball: String
        @Argument var name: String
        @OptionGroup var global: GlobalOptions

        func run() {
            do { print("Imported image: \(try ImageStore(root: global.paths.root).importRootfs(tarball, as: name))") } catch { fail(error) }
        }
    }

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "inspect", abstract: "Show an image's manifest digest, config and layers as JSON.",
            discussion: "Example: minipod image inspect nginx:1.25")

        @Argument var name: String
        @OptionGroup var global: GlobalOptions

        func run() {
            do {
                let store = ImageStore(root: global.paths.root)
                let image = try store.resolve(name)
                let config = try JSONSerialization.jsonObject(with: try store.blob(image.configDigest))
                let doc: [String: Any] = [
                    "Id": image.configDigest, "Digest": image.digest, "RepoTags": [image.reference],
                    "Size": image.size, "Config": config, "LayerDirectories": image.layerDirectories,
                ]
                let data = try JSONSerialization.data(withJSONObject: [doc], options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
                print(String(decoding: data, as: UTF8.self))
            } catch {
                fail(error)
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rm", abstract: "Remove image tags (not while a pod uses them, unless --force).",
            discussion: "Example: minipod image rm busybox:1.36 && minipod image prune")

        @Argument var names: [String]
        @Flag(help: "Remove even if a pod uses the image.") var force = false
        @OptionGroup var global: GlobalOptions

        func run() {
            do {
                let store = ImageStore(root: global.paths.root)
                let pods = PodLister(paths: global.paths).pods(namespace: nil)
                for name in names {
                    let ref = try ImageReference(parsing: name).description
                    let users = pods.filter { pod in pod.spec.allContainers.contains { (try? ImageReference(parsing: $0.image).description) == ref } }
                    if !users.isEmpty && !force {
                        throw MinipodError(
                            .invalidArgument,
                            "image \"\(name)\" is in use by pod \(users.map(\.metadata.name).joined(separator: ", ")); delete the pod or use --force")
                    }
                    print("Untagged: \(try store.remove(name))")
                }
            } catch {
                fail(error)
            }
        }
    }

    struct Prune: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "prune", abstract: "Delete blobs and unpacked layers no image refers to.",
            discussion: "Example: minipod image prune")
        @OptionGroup var global: GlobalOptions

        func run() {
            do { print("Total reclaimed space: \(List.humanSize(try ImageStore(root: global.paths.root).prune()))") } catch { fail(error) }
        }
    }

    struct Load: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "load",
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
            commandName: "ls", abstract: "List images.", discussion: "Example: minipod image ls", aliases: ["list"])

        @OptionGroup var global: GlobalOptions

        func run() {
            do {
                let images = try ImageStore(root: global.paths.root).list()
                var rows = [["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"]]
                for image in images {
                    let ref = try ImageReference(parsing: image.reference)
                    let created = image.config.created ?? ""
                    rows.append([
                        ref.repository, ref.tag ?? "<none>", String(Digest.hex(image.configDigest).prefix(12)),
                        String(created.prefix(10)), Self.humanSize(image.size),
                    ])
                }
                let widths = (0..<5).map { col in rows.map { $0[col].count }.max()! + 3 }
                for row in rows {
                    print(row.enumerated().map { i, cell in i < 4 ? cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) : cell }.joined())
                }
            } catch {
                fail(error)
            }
        }

        static func humanSize(_ bytes: Int64) -> String {
            let units = ["B", "kB", "MB", "GB"]
            var value = Double(bytes)
            var unit = 0
            while value >= 1000 && unit < units.count - 1 {
                value /= 1000
                unit += 1
            }
            return String(format: unit == 0 ? "%.0f %@" : "%.3g %@", value, units[unit])
        }
    }
}
