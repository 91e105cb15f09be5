/// docker/go-units' RAMInBytes, which runc's update uses for its memory flags:
/// "64m", "1.5g", "512MiB", "100 kb" — binary multiples, case-insensitive,
/// "i" and "b" optional, a fraction truncated to whole bytes.
enum RAMSize {
    static func bytes(_ text: String) -> Int64? {
        var rest = Substring(text)
        let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        rest = rest.dropFirst(number.count)
        // go-units' pattern is \d+(\.\d+)*, then strconv.ParseFloat: "1.5.2" and "1." fail.
        guard number.split(separator: ".", omittingEmptySubsequences: false).allSatisfy({ !$0.isEmpty }),
            let value = Double(number)
        else { return nil }
        if rest.first == " " { rest = rest.dropFirst() }
        var multiplier = 1.0
        if let unit = rest.first?.lowercased(), let power = ["k": 1.0, "m": 2, "g": 3, "t": 4, "p": 5][unit] {
            multiplier = Double(sign: .plus, exponent: Int(power) * 10, significand: 1)
            rest = rest.dropFirst()
        }
        if rest.first?.lowercased() == "i" { rest = rest.dropFirst() }
        if rest.first?.lowercased() == "b" { rest = rest.dropFirst() }
        let bytes = value * multiplier
        guard rest.isEmpty, bytes < 0x1p63 else { return nil }
        return Int64(bytes)
    }
}
