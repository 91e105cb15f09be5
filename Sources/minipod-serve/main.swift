import Foundation
import MinipodServe

// `minipod serve` execs this binary beside itself; the supervisor of each pod is minipod's.
let selfPath = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
let minipod = ProcessInfo.processInfo.environment["MINIPOD_BIN"] ?? ((selfPath as NSString).deletingLastPathComponent + "/minipod")
exit(ServeCommand.main(Array(CommandLine.arguments.dropFirst()), minipodExecutable: minipod))
