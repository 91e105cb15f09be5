import ArgumentParser
import Foundation
import MinipodOCI
import MinipodRuntime
import MinipodSystem

struct OCIUpdate: OCIVerb {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Change the cgroup limits of a created or running container.",
        discussion: """
            --resources takes a runtime-spec LinuxResources object; the fields it
            leaves out keep their value, as do limits given as 0 and an empty cpuset.
            Flags given with it replace its fields (runc ignores them then). Device
            rules cannot be changed. Sizes: bytes, or 512m, 1.5g, 64MiB; -1 is unlimited.

            Example:
              minipod oci update --memory 256m --pids-limit 100 web
            """)

    @OptionGroup var global: OCIOptions
    @Option(name: [.short, .long], help: "File with the linux.resources to apply; - reads standard input.") var resources: String?
    // .unconditional: "-1" (unlimited) is a value, not a flag.
    @Option(parsing: .unconditional, help: "Memory limit.") var memory: String?
    @Option(name: .customLong("memory-swap"), parsing: .unconditional, help: "Memory plus swap limit; -1 for unlimited swap.") var memorySwap: String?
    @Option(name: .customLong("memory-reservation"), parsing: .unconditional, help: "Memory soft limit.") var memoryReservation: String?
    @Option(name: [.customLong("cpu-share"), .customLong("cpu-shares")], parsing: .unconditional, help: "CPU shares (relative weight).")
    var cpuShares: String?
    @Option(name: .customLong("cpu-period"), parsing: .unconditional, help: "CFS period in µs.") var cpuPeriod: String?
    @Option(name: .customLong("cpu-quota"), parsing: .unconditional, help: "CFS quota in µs per period; -1 for none.") var cpuQuota: String?
    @Option(name: .customLong("cpu-burst"), parsing: .unconditional, help: "CFS burst in µs.") var cpuBurst: String?
    @Option(name: .customLong("cpu-rt-period"), parsing: .unconditional, help: "Realtime period in µs (v1).") var cpuRealtimePeriod: String?
    @Option(name: .customLong("cpu-rt-runtime"), parsing: .unconditional, help: "Realtime runtime in µs per period (v1).") var cpuRealtimeRuntime:
        String?
    @Option(name: .customLong("cpu-idle"), parsing: .unconditional, help: "1: SCHED_IDLE for the cgroup, 0: normal.") var cpuIdle: String?
    @Option(name: .customLong("cpuset-cpus"), help: "CPUs to run on (0-3,5).") var cpusetCpus: String?
    @Option(name: .customLong("cpuset-mems"), help: "Memory nodes to use.") var cpusetMems: String?
    @Option(name: .customLong("pids-limit"), parsing: .unconditional, help: "Maximum number of processes; -1 for unlimited.") var pidsLimit: String?
    @Option(name: .customLong("blkio-weight"), parsing: .unconditional, help: "Block IO weight, 10 to 1000.") var blkioWeight: String?
    @Argument var id: String

    func execute() throws {
        let runtime = global.runtime
        // A missing container is reported before any flag, as runc does.
        _ = try runtime.state(id)
        var change = RuntimeSpec.Resources()
        if let resources {
            let bytes = resources == "-" ? try FileIO.readAll(0, what: "standard input") : try FileIO.readBytes(resources)
            change = try OCIResourceUpdate.decode(bytes, source: resources == "-" ? "(standard input)" : resources)
        }
        try runtime.update(id, try flags.apply(to: change))
    }

    private var flags: OCIUpdateFlags {
        var f = OCIUpdateFlags()
        f.memory = memory
        f.memorySwap = memorySwap
        f.memoryReservation = memoryReservation
        f.cpuShares = cpuShares
        f.cpuPeriod = cpuPeriod
        f.cpuQuota = cpuQuota
        f.cpuBurst = cpuBurst
        f.cpuRealtimePeriod = cpuRealtimePeriod
        f.cpuRealtimeRuntime = cpuRealtimeRuntime
        f.cpuIdle = cpuIdle
        f.cpusetCpus = cpusetCpus
        f.cpusetMems = cpusetMems
        f.pidsLimit = pidsLimit
        f.blkioWeight = blkioWeight
        return f
    }
}
