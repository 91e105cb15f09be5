import Foundation

/// A Kubernetes resource quantity (`128Mi`, `1Gi`, `500m`, `0.5`, `2`, `1e3`)
/// parsed exactly: binary suffixes are powers of 1024, decimal ones of 1000.
public struct Quantity: Equatable, Sendable, CustomStringConvertible {
    public let text: String
    /// The amount in base units (bytes, cores).
    public let value: Decimal

    public init?(_ text: String) {
        guard let value = Self.parse(text) else { return nil }
        self.text = text
        self.value = value
    }

    public var description: String { text }

    /// Bytes (or whole units), rounded up as resource.Quantity.Value() does.
    public var bytes: Int64 { Self.roundUp(value) }

    /// Thousandths of a unit, rounded up: millicores for cpu.
    public var millis: Int64 { Self.roundUp(value * 1000) }

    private static let binary: [String: Decimal] = [
        "Ki": pow(1024, 1), "Mi": pow(1024, 2), "Gi": pow(1024, 3),
        "Ti": pow(1024, 4), "Pi": pow(1024, 5), "Ei": pow(1024, 6),
    ]
    private static let decimal: [String: Int] = [
        "n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18,
    ]

    static func parse(_ text: String) -> Decimal? {
        let chars = Array(text)
        var i = 0
        var sign: Decimal = 1
        if i < chars.count, chars[i] == "+" || chars[i] == "-" {
            if chars[i] == "-" { sign = -1 }
            i += 1
        }
        let numberStart = i
        var digits = 0
        var sawDot = false
        while i < chars.count, chars[i].isASCII, chars[i].isNumber || (chars[i] == "." && !sawDot) {
            if chars[i] == "." { sawDot = true } else { digits += 1 }
            i += 1
        }
        guard digits > 0, digits <= 40, let number = Decimal(string: String(chars[numberStart..<i])) else {
            return nil
        }
        let suffix = String(chars[i...])
        if let factor = binary[suffix] { return sign * number * factor }
        if let exponent = decimal[suffix] { return sign * scaled(number, by: exponent) }
        // Decimal exponent: 1e3, 2E-2.
        guard suffix.first == "e" || suffix.first == "E", let exponent = Int(suffix.dropFirst()),
            abs(exponent) <= 30
        else { return nil }
        return sign * scaled(number, by: exponent)
    }

    private static func scaled(_ number: Decimal, by exponent: Int) -> Decimal {
        var result = number
        if exponent >= 0 {
            for _ in 0..<exponent { result *= 10 }
        } else {
            for _ in 0..<(-exponent) { result /= 10 }
        }
        return result
    }

    private static func roundUp(_ value: Decimal) -> Int64 {
        var input = value
        var rounded = Decimal()
        NSDecimalRound(&rounded, &input, 0, .up)
        if rounded > Decimal(Int64.max) { return Int64.max }
        return NSDecimalNumber(decimal: rounded).int64Value
    }
}
