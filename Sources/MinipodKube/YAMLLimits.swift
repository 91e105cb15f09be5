import Yams

/// Bounds on what the loader will parse, so a hostile or broken file costs
/// little time and memory: size, nesting depth and alias expansion.
enum YAMLLimits {
    static let maxBytes = 1 << 20
    static let maxDepth = 64
    static let maxNodes = 100_000
    /// Yams composes recursively, about 1 KiB of stack per level; refuse
    /// before parsing when a cheap over-estimate of the nesting says so.
    static let maxEstimatedDepth = 256

    static let tooDeep = "YAML nesting is deeper than \(maxDepth) levels"

    /// Checks the composed tree, counting alias targets each time they are
    /// used (that is what a billion-laughs document multiplies). Returns a
    /// problem, or nil when the tree is within bounds.
    static func check(_ node: Node) -> String? {
        var count = 0
        return visit(node, depth: 1, count: &count)
    }

    private static func visit(_ node: Node, depth: Int, count: inout Int) -> String? {
        count += 1
        if count > maxNodes {
            return "YAML expands to more than \(maxNodes) nodes (aliases that multiply, a \"billion laughs\"?)"
        }
        if depth > maxDepth { return tooDeep }
        switch node {
        case .scalar:
            return nil
        case .sequence(let sequence):
            for child in sequence {
                if let problem = visit(child, depth: depth + 1, count: &count) { return problem }
            }
        case .mapping(let mapping):
            for (key, value) in mapping {
                if let problem = visit(key, depth: depth + 1, count: &count) { return problem }
                if let problem = visit(value, depth: depth + 1, count: &count) { return problem }
            }
        }
        return nil
    }

    /// An upper bound of the nesting depth read from the text alone:
    /// two levels per column of indentation (a mapping and a sequence may
    /// share a column), plus compact `- `/`? `/`: ` indicators on the line,
    /// plus open flow brackets. Quoted strings, comments and block scalars
    /// are skipped so their brackets do not count.
    static func estimatedDepth(_ text: String) -> Int {
        var estimate = 0
        var flow = 0
        var quote: UInt8? = nil
        var blockParentIndent: Int? = nil
        for line in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            let bytes = Array(line)
            let indent = bytes.prefix { $0 == UInt8(ascii: " ") }.count
            if let parent = blockParentIndent {
                if indent == bytes.count || indent > parent { continue }
                blockParentIndent = nil
            }
            var compact = 0
            var atNodeStart = quote == nil
            var i = indent
            scan: while i < bytes.count {
                let c = bytes[i]
                let next: UInt8 = i + 1 < bytes.count ? bytes[i + 1] : UInt8(ascii: " ")
                if let q = quote {
                    if c == UInt8(ascii: "\\"), q == UInt8(ascii: "\"") {
                        i += 2
                        continue
                    }
                    if c == q {
                        if q == UInt8(ascii: "'"), next == q {
                            i += 2
                            continue
                        }
                        quote = nil
                    }
                    i += 1
                    continue
                }
                let space = next == UInt8(ascii: " ") || next == UInt8(ascii: "\t")
                let afterSpace = i == 0 || bytes[i - 1] == UInt8(ascii: " ") || bytes[i - 1] == UInt8(ascii: "\t")
                if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\r") {
                    // whitespace keeps whatever position we are at
                } else if c == UInt8(ascii: "#"), afterSpace {
                    break scan
                } else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'"), atNodeStart {
                    quote = c
                    atNodeStart = false
                } else if c == UInt8(ascii: "[") || c == UInt8(ascii: "{"), atNodeStart || flow > 0 {
                    flow += 1
                    atNodeStart = true
                    estimate = max(estimate, 2 * (indent + 1) + compact + flow)
                } else if c == UInt8(ascii: "]") || c == UInt8(ascii: "}"), flow > 0 {
                    flow -= 1
                    atNodeStart = false
                } else if c == UInt8(ascii: ","), flow > 0 {
                    atNodeStart = true
                } else if c == UInt8(ascii: "-") || c == UInt8(ascii: "?"), atNodeStart, space {
                    compact += 1
                } else if c == UInt8(ascii: ":"), space || flow > 0 {
                    compact += 1
                    atNodeStart = true
                } else if c == UInt8(ascii: "&") || c == UInt8(ascii: "!"), atNodeStart {
                    while i < bytes.count, bytes[i] != UInt8(ascii: " ") { i += 1 }
                    continue scan
                } else if c == UInt8(ascii: "|") || c == UInt8(ascii: ">"), atNodeStart, flow == 0 {
                    blockParentIndent = indent
                    break scan
                } else {
                    atNodeStart = false
                }
                i += 1
            }
            estimate = max(estimate, 2 * (indent + 1) + compact + flow)
        }
        return estimate
    }
}
