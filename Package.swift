// swift-tools-version:6.0
import PackageDescription

// Layers (see DESIGN.md): a target imports only targets below it, and declares
// exactly what it imports (Scripts/check-imports, run by `make check`).
//
//   minipod-serve ─ MinipodServe (NIO, TLS, X509) ─┬─ MinipodAPI ─┬─ MinipodAPIModel ─ MinipodKube (Yams)
//                                                  │              └─ MinipodPod
//   minipod (CLI, ArgumentParser) ──────────────── MinipodPod ─┬─ MinipodKube ─ MinipodSystem
//                                                              ├─ MinipodNet ─ MinipodSystem, CMinipod
//                                                              ├─ MinipodRuntime ─ MinipodCgroups, MinipodOCI, MinipodSystem, CSeccomp
//                                                              ├─ MinipodCgroups ─ MinipodOCI, MinipodSystem, CMinipod
//                                                              └─ MinipodImage ─ MinipodSystem, CMinipod, CZlib, CLibcrypto
//   minipod-init ─ MinipodInitCore ─ MinipodInitProtocol, MinipodOCI, MinipodSystem, CMinipod, CCap
//   MinipodRuntime and MinipodInitCore speak MinipodInitProtocol (─ MinipodOCI) to each other
//   MinipodSystem ─ CMinipod;  MinipodOCI: plain Codable types, no imports
//   MinipodServe ─ MinipodSPDY (SPDY/3.1 frames for kubectl's exec and port-forward streams; pure Swift) ─ CZlib
// minipod-init is the small single-threaded helper that becomes a container's
// process: a thin main over MinipodInitCore (the container setup, which reaches
// the kernel through its Syscalls protocol so unit tests can check the order with
// a recording fake); it links only MinipodSystem, MinipodOCI and the C libraries.
// Release executables link the Swift runtime and Foundation statically: every
// container start and CLI call pays process start-up (DESIGN.md). SwiftPM's
// autolink misses Foundation's internal static libraries on Linux, so they are
// named here, inside a group so their mutual references resolve.
func staticLinking(mode: String = "-static-stdlib", _ libraries: [String]) -> [LinkerSetting] {
    let group = ["--start-group"] + libraries.map { "-l" + $0 } + ["--end-group"]
    return [.unsafeFlags([mode] + group.flatMap { ["-Xlinker", $0] }, .when(configuration: .release))]
}
let essentials = ["FoundationEssentials", "_FoundationCShims", "_FoundationCollections", "swiftSynchronization", "swiftCore"]
// minipod-init runs once per container start and per exec: fully static, no dynamic loader at all.
let staticInit = staticLinking(mode: "-static-executable", essentials)
let staticServe = staticLinking(
    mode: "-static-stdlib",
    [
        "Foundation", "FoundationInternationalization", "CoreFoundation", "_FoundationICU",
        "dispatch", "BlocksRuntime", "stdc++",
    ] + essentials)
let staticCLI = staticLinking(
    mode: "-static-executable",
    [
        "Foundation", "FoundationInternationalization", "CoreFoundation", "_FoundationICU",
        "dispatch", "BlocksRuntime", "stdc++",
    ] + essentials)

let package = Package(
    name: "minipod",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "minipod", targets: ["minipod"]),
        .executable(name: "minipod-init", targets: ["minipod-init"]),
        .executable(name: "minipod-serve", targets: ["minipod-serve"]),
        .executable(name: "minipod-supervisor", targets: ["minipod-supervisor"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        // The Kubernetes API endpoint (minipod-serve only; the CLI links none of it).
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.0"),
    ],
    targets: [
        .target(name: "CMinipod"),
        .systemLibrary(name: "CSeccomp", pkgConfig: "libseccomp", providers: [.apt(["libseccomp-dev"])]),
        .systemLibrary(name: "CCap", pkgConfig: "libcap", providers: [.apt(["libcap-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // OpenSSL's SHA-256 only (image digests while a layer streams); see its shim.h.
        .systemLibrary(name: "CLibcrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // SPDY/3.1 frames and their zlib-compressed header blocks: no NIO, no Foundation, fed bytes in any pieces.
        .target(name: "MinipodSPDY", dependencies: ["CZlib"]),
        .target(name: "MinipodSystem", dependencies: ["CMinipod"]),
        // The runtime-spec types and minipod's own messages to minipod-init: plain Codable types.
        .target(name: "MinipodOCI"),
        // minipod's own messages between a launcher and minipod-init (config, reports, the compiled filter).
        .target(name: "MinipodInitProtocol", dependencies: ["MinipodOCI"]),
        .target(name: "MinipodImage", dependencies: ["MinipodSystem", "CMinipod", "CZlib", "CLibcrypto"]),
        // Cgroup v1 and v2 drivers: create, limits (OCI resources), devices (v1 lists, v2 BPF), freezer, kill.
        .target(name: "MinipodCgroups", dependencies: ["MinipodSystem", "MinipodOCI", "CMinipod"]),
        .target(
            name: "MinipodRuntime", dependencies: ["MinipodCgroups", "MinipodSystem", "MinipodOCI", "MinipodInitProtocol", "CMinipod", "CSeccomp"]),
        .target(name: "MinipodNet", dependencies: ["CMinipod", "MinipodSystem"]),
        // Kubernetes API model: manifest parsing, validation, defaults, status shapes, printers. Pure logic.
        .target(name: "MinipodKube", dependencies: ["MinipodSystem", "Yams"]),
        .target(
            name: "MinipodPod",
            dependencies: [
                "MinipodKube", "MinipodSystem", "MinipodOCI", "MinipodImage", "MinipodRuntime", "MinipodCgroups", "MinipodNet", "CMinipod",
            ]),
        .executableTarget(
            name: "minipod",
            dependencies: [
                "MinipodPod", "MinipodKube", "MinipodNet", "MinipodRuntime", "MinipodCgroups", "MinipodImage", "MinipodOCI", "MinipodSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ], linkerSettings: staticCLI),
        // One per pod, resident while the pod lives: an executable of its own that links only the supervisor.
        .executableTarget(name: "minipod-supervisor", dependencies: ["MinipodPod", "MinipodSystem", "CMinipod"], linkerSettings: staticCLI),
        // The Kubernetes API as data: routes, Status, request bodies, discovery, tables, patches, watch events. Pure.
        .target(name: "MinipodAPIModel", dependencies: ["MinipodKube", "MinipodSystem"]),
        // The API's handlers over the pod service (blocking calls), and the Node, namespaces and Events.
        .target(name: "MinipodAPI", dependencies: ["MinipodAPIModel", "MinipodPod", "MinipodKube", "MinipodSystem"]),
        // The HTTPS endpoint over MinipodAPI: NIO, TLS, certificates, the store's change feed.
        .target(
            name: "MinipodServe",
            dependencies: [
                "MinipodAPI", "MinipodAPIModel", "MinipodPod", "MinipodNet", "MinipodRuntime", "MinipodKube", "MinipodSystem", "MinipodSPDY",
                "CMinipod", "Yams",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]),
        // `minipod serve` execs it: its own executable so the CLI's start-up pays nothing for NIO and TLS.
        .executableTarget(name: "minipod-serve", dependencies: ["MinipodServe"], linkerSettings: staticServe),
        // No Foundation beyond FoundationEssentials, no Dispatch: it becomes part of minipod-init.
        .target(name: "MinipodInitCore", dependencies: ["MinipodSystem", "MinipodOCI", "MinipodInitProtocol", "CMinipod", "CCap"]),
        .executableTarget(
            name: "minipod-init",
            dependencies: [
                "MinipodInitCore", "MinipodInitProtocol", "MinipodSystem", "MinipodOCI", "CMinipod",
            ], linkerSettings: staticInit),
        .testTarget(name: "MinipodSystemTests", dependencies: ["MinipodSystem"]),
        .testTarget(name: "MinipodKubeTests", dependencies: ["MinipodKube", "MinipodSystem"]),
        .testTarget(name: "MinipodAPIModelTests", dependencies: ["MinipodAPIModel", "MinipodKube", "MinipodSystem"]),
        .testTarget(
            name: "MinipodServeTests",
            dependencies: [
                "MinipodServe", "MinipodAPIModel", "MinipodPod", "MinipodKube", "MinipodSystem", "MinipodSPDY", "Yams",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ]),
        .testTarget(name: "MinipodSPDYTests", dependencies: ["MinipodSPDY"], exclude: ["Fixtures"]),
        .testTarget(
            name: "MinipodPodTests",
            dependencies: [
                "MinipodPod", "MinipodKube", "MinipodNet", "MinipodRuntime", "MinipodCgroups", "MinipodImage", "MinipodOCI", "MinipodSystem",
            ]),
        .testTarget(name: "MinipodNetTests", dependencies: ["MinipodNet", "CMinipod"]),
        .testTarget(name: "MinipodCgroupsTests", dependencies: ["MinipodCgroups", "MinipodOCI", "MinipodSystem"]),
        .testTarget(
            name: "MinipodRuntimeTests", dependencies: ["MinipodRuntime", "MinipodCgroups", "MinipodInitProtocol", "MinipodOCI", "MinipodSystem"]),
        .testTarget(name: "MinipodImageTests", dependencies: ["MinipodImage", "MinipodSystem"]),
        // The setup's order against a recording Syscalls fake, for `minipod oci spec`'s and SpecGenerator's
        // specs, checked in under Fixtures/ (MinipodRuntimeTests and MinipodPodTests keep them true).
        .testTarget(
            name: "MinipodInitCoreTests", dependencies: ["MinipodInitCore", "MinipodInitProtocol", "MinipodOCI", "MinipodSystem", "CCap"],
            exclude: ["Fixtures"]),
        // Drives the built `minipod` (MINIPOD_BIN) and the real kubectl: no module of ours.
        .testTarget(name: "IntegrationTests"),
    ],
    swiftLanguageModes: [.v5]
)

// libFuzzer harnesses (Fuzz/, run by Scripts/fuzz and `make fuzz`). They have no main of their
// own: libFuzzer's comes in only when linking with `--sanitize=fuzzer`, so `swift build` and
// `swift test` must never see them. Scripts/fuzz sets MINIPOD_FUZZ=1 and builds them in
// .build-fuzz with the fuzzer and address sanitizers.
if Context.environment["MINIPOD_FUZZ"] == "1" {
    package.targets += [
        .executableTarget(name: "fuzz-manifest", dependencies: ["MinipodKube", "MinipodSystem"], path: "Fuzz/manifest"),
        .executableTarget(name: "fuzz-image-metadata", dependencies: ["MinipodImage", "MinipodSystem"], path: "Fuzz/image-metadata"),
        .executableTarget(name: "fuzz-layer", dependencies: ["MinipodImage", "MinipodSystem", "CMinipod"], path: "Fuzz/layer"),
        .executableTarget(name: "fuzz-api", dependencies: ["MinipodAPIModel", "MinipodKube", "MinipodSystem"], path: "Fuzz/api"),
        .executableTarget(name: "fuzz-spdy", dependencies: ["MinipodSPDY"], path: "Fuzz/spdy"),
    ]
}
