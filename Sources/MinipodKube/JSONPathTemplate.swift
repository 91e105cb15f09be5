import Foundation
import MinipodSystem

/// `-o jsonpath=TEMPLATE`: the part of kubectl's JSONPath that tutorials use.
/// Text outside braces is printed as is; inside, `.field`, `['key.with.dots']`,
/// `[N]`, `[*]`, string literals (`{"\n"}`) and `{range EXPR}…{end}`. Several
/// results print separated by spaces; objects and arrays print as JSON; a
/// missing field prints nothing (kubectl's --allow-missing-template-keys).
/// Hand-written: no Swift JSONPath package follows kubectl's template syntax.
public struct JSONPathTemplate {
    indirect enum Node: Equatable {
        case text(String)
        case path([Step])
        case range([Step], [Node])
    }

    enum Step: Equatable {
        case field(String)
        case index(Int)
        case all
    }

    let nodes: [Node]

    public init(_ template: String) throws {
        var tokens = try Self.tokens(template)[...]
        nodes = try Self.parse(&tokens, inRange: false)
        if !tokens.isEmpty { throw Self.error(template, "{end} without {range}") }
    }

    /// Renders the template over `value` (any Encodable, as its JSON form).
    public func render<T: Encodable>(_ value: T) throws -> String {
        let data = try JSONEncoder().encode(value)
        let root = try JSONDecoder().decode(JSONValue.self, from: data)
        return Self.render(nodes, root)
    }

    static func render(_ nodes: [Node], _ root: JSONValue) -> String {
        var out = ""
        for node in nodes {
            switch node {
            case .text(let text):
                out += text
            case .path(let steps):
                out += evaluate(steps, root).map(Self.text).joined(separator: " ")
            case .range(let steps, let body):
                for item in evaluate(steps, root).flatMap({ value -> [JSONValue] in
                    if case .array(let items) = value { return items }
                    return [value]
                }) {
                    out += render(body, item)
                }
            }
        }
        return out
    }

    static func evaluate(_ steps: [Step], _ root: JSONValue) -> [JSONValue] {
        var current = [root]
        for step in steps {
            current = current.flatMap { value -> [JSONValue] in
                switch (step, value) {
                case (.field(let name), .object(let fields)):
                    return fields[name].map { [$0] } ?? []
                case (.index(let i), .array(let items)):
                    let at = i < 0 ? items.count + i : i
                    return items.indices.contains(at) ? [items[at]] : []
                case (.all, .array(let items)):
                    return items
                case (.all, .object(let fields)):
                    return fields.keys.sorted().map { fields[$0]! }
                default:
                    return []
                }
            }
        }
        return current
    }

    static func text(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .string(let s): return s
        case .array, .object:
            var out = ""
            JSONValue.writeCompact(value, to: &out)
            return out
        }
    }

    // MARK: parsing

    enum Token: Equatable {
        case text(String)
        case expression(String)
    }

    static func error(_ template: String, _ why: String) -> MinipodError {
        MinipodError(.invalidArgument, "error parsing jsonpath \(template): \(why)")
    }

    /// Splits at braces; a brace inside a quoted literal or ['key'] does not count.
    static func tokens(_ template: String) throws -> [Token] {
        var result: [Token] = []
        var text = ""
        var chars = Array(template)[...]
        while let c = chars.popFirst() {
            guard c == "{" else {
                text.append(c)
                continue
            }
            if !text.isEmpty {
                result.append(.text(text))
                text = ""
            }
            var expression = ""
            var quote: Character?
            var closed = false
            while let e = chars.popFirst() {
                if let q = quote {
                    expression.append(e)
                    if e == "\\", let next = chars.popFirst() { expression.append(next) } else if e == q { quote = nil }
                } else if e == "}" {
                    closed = true
                    break
                } else {
                    if e == "\"" || e == "'" { quote = e }
                    expression.append(e)
                }
            }
            if !closed { throw error(template, "unclosed action") }
            result.append(.expression(expression.trimmingCharacters(in: .whitespaces)))
        }
        if !text.isEmpty { result.append(.text(text)) }
        return result
    }

    static func parse(_ tokens: inout ArraySlice<Token>, inRange: Bool) throws -> [Node] {
        var nodes: [Node] = []
        while let token = tokens.first {
            switch token {
            case .text(let text):
                tokens.removeFirst()
                nodes.append(.text(text))
            case .expression(let expression):
                if expression == "end" {
                    if inRange { tokens.removeFirst() }
                    return nodes
                }
                tokens.removeFirst()
                if expression.hasPrefix("range ") {
                    let steps = try path(String(expression.dropFirst("range ".count)).trimmingCharacters(in: .whitespaces))
                    let body = try parse(&tokens, inRange: true)
                    nodes.append(.range(steps, body))
                } else if let literal = try stringLiteral(expression) {
                    nodes.append(.text(literal))
                } else {
                    nodes.append(.path(try path(expression)))
                }
            }
        }
        if inRange { throw MinipodError(.invalidArgument, "error parsing jsonpath: {range} without {end}") }
        return nodes
    }

    /// `"…"` or `'…'` with \n, \t, \\ and the quote escaped, as Go's strconv.Unquote.
    static func stringLiteral(_ expression: String) throws -> String? {
        guard let q = expression.first, q == "\"" || q == "'", expression.count >= 2, expression.last == q else { return nil }
        var out = ""
        var chars = Array(expression.dropFirst().dropLast())[...]
        while let c = chars.popFirst() {
            guard c == "\\", let next = chars.popFirst() else {
                out.append(c)
                continue
            }
            switch next {
            case "n": out.append("\n")
            case "t": out.append("\t")
            case "r": out.append("\r")
            default: out.append(next)
            }
        }
        return out
    }

    /// `.a.b[0]['c.d'][*]`; `$` and `@` (the root or current item) may start it.
    static func path(_ expression: String) throws -> [Step] {
        var steps: [Step] = []
        var chars = Array(expression)[...]
        if chars.first == "$" || chars.first == "@" { chars.removeFirst() }
        func bad(_ why: String) -> MinipodError {
            MinipodError(.invalidArgument, "error parsing jsonpath {\(expression)}: \(why)")
        }
        while let c = chars.popFirst() {
            switch c {
            case ".":
                var name = ""
                while let n = chars.first, n != ".", n != "[" {
                    chars.removeFirst()
                    if n == "\\", let escaped = chars.popFirst() { name.append(escaped) } else { name.append(n) }
                }
                if name.isEmpty {
                    if chars.isEmpty && steps.isEmpty { continue }  // "{.}" is the whole object
                    throw bad("empty field name")
                }
                steps.append(.field(name))
            case "[":
                var inside = ""
                var quote: Character?
                var closed = false
                while let n = chars.popFirst() {
                    if let q = quote {
                        if n == q { quote = nil }
                        inside.append(n)
                        continue
                    }
                    if n == "'" || n == "\"" { quote = n }
                    if n == "]" {
                        closed = true
                        break
                    }
                    inside.append(n)
                }
                guard closed else { throw bad("unterminated [") }
                if inside == "*" {
                    steps.append(.all)
                } else if let i = Int(inside) {
                    steps.append(.index(i))
                } else if let key = try stringLiteral(inside) {
                    steps.append(.field(key))
                } else {
                    throw bad("[\(inside)] is not supported (an index, * or a quoted key)")
                }
            default:
                throw bad("unexpected \"\(c)\" (filters and functions are not supported)")
            }
        }
        return steps
    }
}
