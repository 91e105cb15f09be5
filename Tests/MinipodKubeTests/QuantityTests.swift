import Foundation
import Testing

@testable import MinipodKube

@Suite struct QuantityTests {
    @Test(arguments: [
        ("128Mi", Int64(134_217_728)), ("1Gi", 1_073_741_824), ("1Ki", 1024), ("2", 2), ("1e3", 1000),
        ("1k", 1000), ("1M", 1_000_000), ("1.5Gi", 1_610_612_736), ("0.5", 1), ("100m", 1), ("1E2", 100),
    ])
    func bytes(text: String, expected: Int64) throws {
        #expect(try #require(Quantity(text)).bytes == expected)
    }

    @Test(arguments: [
        ("500m", Int64(500)), ("0.5", 500), ("2", 2000), ("1", 1000), ("250m", 250),
        ("0.1", 100), ("1u", 1), ("100n", 1),
    ])
    func millicores(text: String, expected: Int64) throws {
        #expect(try #require(Quantity(text)).millis == expected)
    }

    @Test func invalid() {
        for text in ["", "Mi", "1MB", "1.2.3", "one", "1 Gi", "--1", "1e", "1e999", "0x10"] {
            #expect(Quantity(text) == nil, "\(text)")
        }
    }

    @Test func comparesAcrossSuffixes() throws {
        #expect(try #require(Quantity("1Gi")).value > #require(Quantity("1G")).value)
        #expect(try #require(Quantity("1000m")).value == #require(Quantity("1")).value)
        #expect(try #require(Quantity("-1")).value < 0)
    }
}
