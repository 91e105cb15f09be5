import CLibcrypto

/// SHA-256 in this process, fed in pieces (so a stream can be hashed as it passes).
/// OpenSSL's assembly (SHA-NI or AVX2, chosen at run time) hashed 63 MB in ~75 ms here,
/// its portable C in ~350 ms; coreutils' sha256sum is portable C and a process per digest.
struct SHA256 {
    private var context = SHA256_CTX()

    init() { SHA256_Init(&context) }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        SHA256_Update(&context, base, bytes.count)
    }

    mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// "sha256:<64 hex digits>", the form of OCI digests. The hasher is spent afterwards.
    mutating func finish() -> String {
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        SHA256_Final(&digest, &context)
        let hexDigits = Array("0123456789abcdef".utf8)
        var text = Array("sha256:".utf8)
        for byte in digest { text += [hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xf)]] }
        return String(decoding: text, as: UTF8.self)
    }
}
