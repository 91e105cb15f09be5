/// The files the fake knows before the setup starts.
enum RootfsModel {
    /// runtime-spec's default devices, which every container gets (config-linux.md).
    static let defaultDevices = ["null", "zero", "full", "random", "urandom", "tty"]
    static let hostDevices = defaultDevices.map { "/dev/" + $0 }

    /// The image's programs, and what procfs and sysfs show, in the container once mounted
    /// and on the host (only some of the masked paths, as on most hosts: the others are skipped).
    static func seed(_ fake: RecordingSyscalls, rootfs: String) {
        fake.addFile(rootfs + "/bin/sh", executable: true)
        fake.addFile(rootfs + "/usr/sbin/nginx", executable: true)
        for root in ["", rootfs] {
            for directory in ["/proc/acpi", "/proc/scsi", "/sys/firmware", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys"] {
                fake.addDirectory(root + directory)
            }
            for file in ["/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/sysrq-trigger"] {
                fake.addFile(root + file)
            }
        }
    }
}
