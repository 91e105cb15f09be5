import Crypto
import Foundation
import MinipodSystem
import SwiftASN1
import X509

/// The server's credentials under /etc/minipod/pki (MINIPOD_PKI): a CA, a serving
/// certificate it signed for loopback and this host's name, and the admin's bearer
/// token. Made once, reused after (keys and token mode 0600), so kubeconfigs stay valid.
public struct PKI {
    public let directory: String
    public var caPath: String { directory + "/ca.crt" }
    var caKeyPath: String { directory + "/ca.key" }
    public var certificatePath: String { directory + "/server.crt" }
    public var keyPath: String { directory + "/server.key" }
    var tokenPath: String { directory + "/admin.token" }

    public init(directory: String = ProcessInfo.processInfo.environment["MINIPOD_PKI"] ?? "/etc/minipod/pki") {
        self.directory = directory
    }

    public struct Material {
        public let caPEM: String
        public let certificatePEM: String
        public let keyPEM: String
        public let token: String
    }

    /// The credentials, made now if any part is missing.
    public func ensure(hostNames: [String]) throws -> Material {
        let paths = [caPath, caKeyPath, certificatePath, keyPath, tokenPath]
        if paths.allSatisfy(FileIO.exists) {
            return Material(
                caPEM: try FileIO.readString(caPath), certificatePEM: try FileIO.readString(certificatePath),
                keyPEM: try FileIO.readString(keyPath), token: try FileIO.readString(tokenPath).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        try FileIO.makeDirectories(directory, mode: 0o700)
        let material = try make(hostNames: hostNames)
        try FileIO.writeAtomically(caKeyPath, material.caKeyPEM, mode: 0o600)
        try FileIO.writeAtomically(keyPath, material.keyPEM, mode: 0o600)
        try FileIO.writeAtomically(tokenPath, material.token + "\n", mode: 0o600)
        try FileIO.writeAtomically(certificatePath, material.certificatePEM)
        try FileIO.writeAtomically(caPath, material.caPEM)
        return Material(caPEM: material.caPEM, certificatePEM: material.certificatePEM, keyPEM: material.keyPEM, token: material.token)
    }

    func make(hostNames: [String]) throws -> (caPEM: String, caKeyPEM: String, certificatePEM: String, keyPEM: String, token: String) {
        let now = Date()
        let caKey = P256.Signing.PrivateKey()
        let caName = try DistinguishedName { CommonName("minipod-ca") }
        let ca = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(caKey.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(10 * 365 * 86400),
            issuer: caName, subject: caName, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
            },
            issuerPrivateKey: .init(caKey))
        let serverKey = P256.Signing.PrivateKey()
        var names: [GeneralName] = [
            .dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
            .ipAddress(ASN1OctetString(contentBytes: ArraySlice([UInt8](repeating: 0, count: 15) + [1]))),
        ]
        for name in hostNames where !name.isEmpty {
            if let address = IPv4Bytes(name) {
                names.append(.ipAddress(ASN1OctetString(contentBytes: ArraySlice(address))))
            } else {
                names.append(.dnsName(name))
            }
        }
        let server = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(serverKey.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(5 * 365 * 86400),
            issuer: caName, subject: try DistinguishedName { CommonName("minipod-apiserver") }, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true, keyEncipherment: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(names)
            },
            issuerPrivateKey: .init(caKey))
        var tokenBytes = [UInt8](repeating: 0, count: 32)
        for i in tokenBytes.indices { tokenBytes[i] = UInt8.random(in: 0...255) }
        let token = tokenBytes.map { String(format: "%02x", $0) }.joined()
        return (
            try ca.serializeAsPEM().pemString, caKey.pemRepresentation, try server.serializeAsPEM().pemString,
            serverKey.pemRepresentation, token
        )
    }
}

/// "10.0.0.1" → its four bytes; nil for anything else.
func IPv4Bytes(_ text: String) -> [UInt8]? {
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 4 else { return nil }
    let bytes = parts.compactMap { UInt8($0) }
    return bytes.count == 4 ? bytes : nil
}
