/// The process a container runs, by Kubernetes' rules for command/args
/// against the image's ENTRYPOINT/CMD:
/// - command and args: command + args (image ignored)
/// - command only: command (image Cmd ignored too)
/// - args only: image Entrypoint + args
/// - neither: image Entrypoint + Cmd
/// `$(VAR)` in command and args expands from `environment` (the container's
/// env); unknown references stay as written and `$$` is a literal `$`.
public func resolveCommand(
    command: [String]?, args: [String]?, imageEntrypoint: [String]?,
    imageCmd: [String]?, environment: [String: String] = [:]
) -> [String] {
    let command = (command ?? []).map { expandVariables($0, environment) }
    let args = (args ?? []).map { expandVariables($0, environment) }
    if !command.isEmpty { return command + args }
    if !args.isEmpty { return (imageEntrypoint ?? []) + args }
    return (imageEntrypoint ?? []) + (imageCmd ?? [])
}

/// Kubernetes' expansion (third_party/forked/golang/expansion): `$(NAME)`
/// becomes the value when NAME is defined, else stays `$(NAME)`; `$$` is `$`;
/// any other `$` is kept.
public func expandVariables(_ input: String, _ environment: [String: String]) -> String {
    var output = ""
    var rest = Substring(input)
    while let dollar = rest.firstIndex(of: "$") {
        output += rest[..<dollar]
        let after = rest.index(after: dollar)
        guard after < rest.endIndex else {
            output += "$"
            rest = rest[after...]
            break
        }
        switch rest[after] {
        case "$":
            output += "$"
            rest = rest[rest.index(after: after)...]
        case "(":
            let nameStart = rest.index(after: after)
            if let close = rest[nameStart...].firstIndex(of: ")") {
                let name = String(rest[nameStart..<close])
                output += environment[name] ?? "$(\(name))"
                rest = rest[rest.index(after: close)...]
            } else {
                output += "$("
                rest = rest[nameStart...]
            }
        default:
            output += "$"
            rest = rest[after...]
        }
    }
    return output + rest
}

/// A container's environment in order, each value expanded against the
/// variables before it as the kubelet does; `fieldRef` values come from
/// `fieldValue` (e.g. "status.podIP" → "10.88.0.5"), "" when it has none.
public func containerEnvironment(
    _ vars: [EnvVar], fieldValue: (String) -> String? = { _ in nil }
)
    -> [(name: String, value: String)]
{
    var result: [(name: String, value: String)] = []
    var known: [String: String] = [:]
    var position: [String: Int] = [:]  // a search of `result` per variable was quadratic in the count
    for variable in vars {
        let value: String
        if let path = variable.valueFrom?.fieldRef?.fieldPath {
            value = fieldValue(path) ?? ""
        } else {
            value = expandVariables(variable.value ?? "", known)
        }
        known[variable.name] = value
        if let index = position[variable.name] {
            result[index].value = value
        } else {
            position[variable.name] = result.count
            result.append((variable.name, value))
        }
    }
    return result
}
