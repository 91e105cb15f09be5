import MinipodSystem

/// runc's mount option words mapped to flags; the rest is filesystem data.
struct MountOptions {
    var flags: Sys.MountFlags = []
    var propagation: Sys.MountFlags = []
    var data: [String] = []

    init(_ options: [String]) {
        for option in options {
            switch option {
            case "ro": flags.insert(.readOnly)
            case "rw": flags.remove(.readOnly)
            case "nosuid": flags.insert(.noSuid)
            case "suid": flags.remove(.noSuid)
            case "nodev": flags.insert(.noDev)
            case "dev": flags.remove(.noDev)
            case "noexec": flags.insert(.noExec)
            case "exec": flags.remove(.noExec)
            case "bind": flags.insert(.bind)
            case "rbind": flags.formUnion([.bind, .recursive])
            case "relatime": flags.insert(.relatime)
            case "strictatime": flags.insert(.strictAtime)
            case "noatime": flags.insert(.noAtime)
            case "nodiratime": flags.insert(.noDirAtime)
            case "private": propagation = .private
            case "rprivate": propagation = [.private, .recursive]
            case "slave": propagation = .slave
            case "rslave": propagation = [.slave, .recursive]
            case "shared": propagation = .shared
            case "rshared": propagation = [.shared, .recursive]
            case "unbindable": propagation = .unbindable
            case "runbindable": propagation = [.unbindable, .recursive]
            case "norelatime", "nostrictatime", "atime", "diratime", "defaults": break
            default: data.append(option)
            }
        }
    }
}
