// swift-tools-version:6.1
import PackageDescription

// The engine's hot loops (chunking, stream parsing) touch class state per byte or
// per row; dynamic exclusivity checks there cost a fifth of a database backup's CPU.
let hotLoops: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"])]

// Every target of ours: Swift 6's data-race checks, and existential types
// spelled `any P`, so that a protocol used as a type is never mistaken for a
// generic constraint.
let strict: [SwiftSetting] = [.swiftLanguageMode(.v6), .enableUpcomingFeature("ExistentialAny")]

let package = Package(
  name: "datamancy-backup",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "datamancy-backup", targets: ["datamancy-backup"])
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
  ],
  targets: [
    // libzstd from Debian's libzstd-dev.
    .systemLibrary(
      name: "CZstd",
      pkgConfig: "libzstd",
      providers: [.apt(["libzstd-dev"])]
    ),
    // Linux calls Swift's Glibc module does not declare: sched_setaffinity(2),
    // SCHED_BATCH, spawning with a parent-death signal (prctl(2)), extended
    // attributes, device numbers and fnmatch(3) for file trees.
    .target(name: "CLinux"),
    // The POSIX layer: byte sources, programs started and watched (spawning with a
    // parent-death signal), private files, values shared between threads, and the
    // allocator settings. Nothing here knows about repositories or databases.
    .target(name: "DatamancyPOSIX", dependencies: ["CLinux"], swiftSettings: strict),
    // Storage backends behind one protocol: where repository files live (a local
    // folder; S3-compatible object storage, signed with swift-crypto, over
    // async-http-client: it trusts a private CA file and notices a reset
    // connection at once, which Foundation's URLSession on Linux does neither).
    .target(
      name: "DatamancyStorage",
      dependencies: [
        "DatamancyPOSIX",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
      ],
      swiftSettings: strict
    ),
    // The repository engine: keys, chunking, packs, index, backup sets, locks, check.
    .target(
      name: "DatamancyRepository",
      dependencies: [
        "DatamancyStorage", "DatamancyPOSIX", "CZstd",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "_CryptoExtras", package: "swift-crypto"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: hotLoops + strict
    ),
    // The YAML configuration and secret references. It reads a repository's
    // storage settings as the storage backends declare them.
    .target(
      name: "DatamancyConfig",
      dependencies: ["DatamancyStorage", .product(name: "Yams", package: "Yams")],
      swiftSettings: strict
    ),
    // What is backed up: the database engines, folders and commands as argv
    // builders, and the stream inspectors (completeness, table fingerprints).
    .target(
      name: "DatamancySources",
      dependencies: [
        "DatamancyPOSIX", "DatamancyRepository", "DatamancyConfig", "CLinux",
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: strict
    ),
    // What both the command line and the web run: backups, restores, drills,
    // verify, status, notifications, retention and copy runs, schedule logic.
    .target(
      name: "DatamancyOperations",
      dependencies: [
        "DatamancyPOSIX", "DatamancyRepository", "DatamancyStorage", "DatamancySources", "DatamancyConfig",
        "CLinux",
        .product(name: "Logging", package: "swift-log"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOCore", package: "swift-nio"),
      ],
      swiftSettings: strict
    ),
    // The web dashboard and the metrics endpoint of `serve` (Hummingbird): login,
    // sessions, pages rendered on the server, SVG charts, actions through the
    // same job launcher the schedule uses.
    .target(
      name: "DatamancyWeb",
      dependencies: [
        "DatamancyPOSIX", "DatamancyRepository", "DatamancyConfig", "DatamancyOperations",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "_CryptoExtras", package: "swift-crypto"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "HummingbirdCore", package: "hummingbird"),
        .product(name: "HummingbirdTLS", package: "hummingbird"),
        .product(name: "HTTPTypes", package: "swift-http-types"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
      ],
      swiftSettings: strict
    ),
    // The command line: parses, calls the operations, renders.
    .target(
      name: "DatamancyCLI",
      dependencies: [
        "DatamancyPOSIX", "DatamancyRepository", "DatamancyStorage", "DatamancySources",
        "DatamancyOperations", "DatamancyWeb",
        "DatamancyConfig", "CLinux",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "NIOCore", package: "swift-nio"),
      ],
      swiftSettings: strict
    ),
    .executableTarget(
      name: "datamancy-backup", dependencies: ["DatamancyCLI"], swiftSettings: strict),
    // The command line's own parser against what other parts build for it.
    .testTarget(
      name: "DatamancyCLITests",
      dependencies: [
        "DatamancyCLI", "DatamancyOperations", "DatamancyConfig",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),
    .testTarget(name: "DatamancyStorageTests", dependencies: ["DatamancyStorage", "DatamancyTestSupport"]),
    // What several test targets share: storage that counts the reads made of it,
    // free ports for the tests' servers.
    .target(
      name: "DatamancyTestSupport", dependencies: ["DatamancyStorage"], path: "Tests/DatamancyTestSupport"),
    .testTarget(
      name: "DatamancyRepositoryTests",
      dependencies: [
        "DatamancyRepository", "DatamancyStorage", "DatamancyPOSIX", "DatamancyTestSupport", "CZstd",
        .product(name: "Crypto", package: "swift-crypto"),
      ]),
    .testTarget(name: "DatamancyConfigTests", dependencies: ["DatamancyConfig", "DatamancyStorage"]),
    .testTarget(name: "DatamancyWebTests", dependencies: ["DatamancyWeb"]),
    .testTarget(
      name: "DatamancySourcesTests",
      dependencies: [
        "DatamancySources", "DatamancyRepository", "DatamancyPOSIX", "DatamancyConfig", "DatamancyOperations",
      ]),
    .testTarget(
      name: "DatamancyOperationsTests",
      dependencies: [
        "DatamancyOperations", "DatamancyRepository", "DatamancyStorage", "DatamancyConfig", "DatamancyPOSIX",
        "DatamancySources", "DatamancyTestSupport", .product(name: "Logging", package: "swift-log"),
      ]
    ),
    .testTarget(
      name: "DatamancyIntegrationTests",
      dependencies: [
        "DatamancyRepository", "DatamancyStorage", "DatamancyConfig", "DatamancyPOSIX",
        "DatamancyTestSupport",
      ]
    ),
  ],
  swiftLanguageModes: [.v5]
)
