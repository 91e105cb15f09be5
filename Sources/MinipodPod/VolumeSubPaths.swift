import MinipodKube
import MinipodOCI
import MinipodSystem

/// kubelet's subPath preparation: before a container is created, each subPath is
/// resolved inside its volume, missing directories made (as SafeMakeDir does); one
/// that leads out of its volume, through a symlink any container of the pod may have
/// made, keeps the container from being created (CreateContainerConfigError).
/// init resolves it again on a descriptor when it mounts, so a symlink swapped in
/// after this check is refused there too.
enum VolumeSubPaths {
    static func prepare(_ spec: RuntimeSpec, container: Container, field: String) throws {
        for (index, volumeMount) in (container.volumeMounts ?? []).enumerated() {
            guard let volume = spec.annotations?[MinipodAnnotations.subPathVolume(volumeMount.mountPath)],
                let source = spec.mounts?.first(where: { $0.destination == volumeMount.mountPath })?.source,
                source.hasPrefix(volume + "/")
            else { continue }
            let subPath = String(source.dropFirst(volume.count + 1))
            do {
                _ = try PathBeneath.open(subPath, in: volume, createDirectories: true)
            } catch let e as MinipodError {
                throw MinipodError(
                    .invalidManifest, "failed to prepare subPath for volumeMount \"\(volumeMount.name)\" of container \"\(container.name)\": \(e)",
                    field: "\(field).volumeMounts[\(index)]")
            }
        }
    }
}
