import Foundation
import Testing

extension Integration {
    /// What a new user types first: every command's --help shows an example
    /// (issue #10), found by walking the SUBCOMMANDS lists the help prints.
    @Test func everyCommandsHelpShowsAnExample() {
        var pending: [[String]] = [[]]
        var checked: [String] = []
        var withoutExample: [String] = []
        while let command = pending.popLast() {
            let help = host.run(command + ["--help"])
            #expect(help.status == 0, "minipod \(command.joined(separator: " ")) --help: \(help.stderr)")
            checked.append(command.joined(separator: " "))
            if !help.stdout.contains("Example") { withoutExample.append("minipod " + command.joined(separator: " ")) }
            pending += subcommands(inHelp: help.stdout).map { command + [$0] }
        }
        #expect(withoutExample == [], "commands whose --help has no example")
        // The walk reached the nested commands, not only the top level.
        #expect(checked.contains("image ls") && checked.contains("oci update") && checked.count > 25, "\(checked)")
    }

    /// Names in the SUBCOMMANDS section: each listed on a line indented by two
    /// spaces; "(default)" marks the one run without a name.
    private func subcommands(inHelp help: String) -> [String] {
        guard let section = help.components(separatedBy: "SUBCOMMANDS:\n").dropFirst().first else { return [] }
        return section.split(separator: "\n", omittingEmptySubsequences: false)
            .prefix { !$0.isEmpty }
            .filter { $0.hasPrefix("  ") && !$0.hasPrefix("   ") }
            .compactMap { $0.split(separator: " ").first.map { String($0.trimmingCharacters(in: [","])) } }
    }
}
