import Foundation
import MinipodInitProtocol
import MinipodOCI
import MinipodSystem
import Testing

@testable import MinipodRuntime

/// Compiled filters shared across containers: found for the same profile, never for another.
struct SeccompProgramCacheTests {
    let directory = NSTemporaryDirectory() + "seccomp-cache-\(UUID().uuidString)"

    @Test func theSameProfileIsCompiledOnceAndAnotherProfileIsNot() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let profile = DefaultProfile.seccomp(capabilities: ["CAP_CHOWN"])
        let compiled = try SeccompCompiler.program(for: profile, cachePath: nil, sharedCache: directory)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
        #expect(files.count == 1 && files[0].hasSuffix(".bpf"), "\(files)")
        let cache = SeccompProgramCache(directory: directory)
        #expect(cache.program(for: profile) == compiled)
        let other = DefaultProfile.seccomp(capabilities: ["CAP_CHOWN", "CAP_SYS_ADMIN"])
        #expect(cache.program(for: other) == nil)
        let otherProgram = try SeccompCompiler.program(for: other, cachePath: nil, sharedCache: directory)
        #expect(otherProgram != compiled, "the profiles differ, so must their filters")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).count == 2)
    }

    @Test func aFileWhoseStoredKeyDiffersIsNotUsed() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let profile = DefaultProfile.seccomp(capabilities: [])
        let other = DefaultProfile.seccomp(capabilities: ["CAP_SYS_ADMIN"])
        let cache = SeccompProgramCache(directory: directory)
        cache.store(try SeccompCompiler.compile(other), for: other)
        // What a hash collision would look like: the other profile's entry under this profile's name.
        let file = try #require(try FileManager.default.contentsOfDirectory(atPath: directory).first)
        cache.store(try SeccompCompiler.compile(profile), for: profile)
        let mine = try #require(try FileManager.default.contentsOfDirectory(atPath: directory).first { $0 != file })
        try FileManager.default.removeItem(atPath: directory + "/" + mine)
        try FileManager.default.moveItem(atPath: directory + "/" + file, toPath: directory + "/" + mine)
        #expect(cache.program(for: profile) == nil)
    }
}
