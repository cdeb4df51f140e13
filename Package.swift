// swift-tools-version: 6.0
import PackageDescription

/// Every target is compiled in Swift 6 language mode with the upcoming features Hummingbird
/// enables, so imports are explicit and existentials are spelled `any`.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "goody-batch",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "goody-batch", targets: ["goody-batch"]),
        .executable(name: "goody-emulator", targets: ["goody-emulator"]),
        // The reader and validator under libFuzzer (bench/fuzz.sh); built normally, it replays inputs.
        .executable(name: "fuzz-reader", targets: ["fuzz-reader"]),
        .library(name: "Spreadsheet", targets: ["Spreadsheet"]),
        .library(name: "Recipients", targets: ["Recipients"]),
        .library(name: "GoodyAPI", targets: ["GoodyAPI"]),
        .library(name: "APIClient", targets: ["APIClient"]),
        .library(name: "GoodyEmulator", targets: ["GoodyEmulator"]),
        .library(name: "Planning", targets: ["Planning"]),
        .library(name: "Ledger", targets: ["Ledger"]),
        .library(name: "Sending", targets: ["Sending"]),
        .library(name: "Workbook", targets: ["Workbook"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        // C stays behind one wall: only Spreadsheet/LibCSV.swift imports this module.
        .systemLibrary(
            name: "CLibCSV",
            path: "Sources/CLibCSV",
            providers: [.apt(["libcsv-dev"])]
        ),
        // Reading any HR export (encodings, delimiters, title rows) and writing CSV, through libcsv.
        .target(
            name: "Spreadsheet",
            dependencies: ["CLibCSV", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            path: "Sources/Spreadsheet",
            swiftSettings: strictSettings
        ),
        // The second C library, behind its own wall: only Workbook/XLSXWriter.swift imports it.
        .systemLibrary(
            name: "CLibXLSXWriter",
            path: "Sources/CLibXLSXWriter",
            providers: [.apt(["libxlsxwriter-dev"])]
        ),
        // Writing .xlsx workbooks (libxlsxwriter): the files managers and HR open in Excel.
        .target(
            name: "Workbook",
            dependencies: ["CLibXLSXWriter"],
            path: "Sources/Workbook",
            swiftSettings: strictSettings
        ),
        // Column mapping, normalization and the rules of each send method.
        .target(
            name: "Recipients",
            dependencies: ["Spreadsheet", "GoodyAPI", .product(name: "Crypto", package: "swift-crypto")],
            path: "Sources/Recipients",
            swiftSettings: strictSettings
        ),
        // The Goody API's resources, Codable as the OpenAPI document spells them.
        .target(
            name: "GoodyAPI",
            path: "Sources/GoodyAPI",
            swiftSettings: strictSettings
        ),
        // The client for the Goody API (AsyncHTTPClient): auth, retries, errors that say what to do.
        .target(
            name: "APIClient",
            dependencies: [
                "GoodyAPI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/APIClient",
            swiftSettings: strictSettings
        ),
        // An emulator of the Goody API (Hummingbird 2) for tests, the demo and the benchmarks.
        .target(
            name: "GoodyEmulator",
            dependencies: [
                "GoodyAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/Emulator",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "goody-emulator",
            dependencies: [
                "GoodyEmulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/goody-emulator",
            swiftSettings: strictSettings
        ),
        // Cart, campaign, batching and the cost estimate.
        .target(
            name: "Planning",
            dependencies: [
                "Recipients",
                "Spreadsheet",
                "GoodyAPI",
                "APIClient",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Sources/Planning",
            swiftSettings: strictSettings
        ),
        // The run ledger (SQLite through GRDB): what may have happened remotely, committed
        // before and after every call.
        .target(
            name: "Ledger",
            dependencies: [
                "GoodyAPI",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Sources/Ledger",
            swiftSettings: strictSettings
        ),
        // Exactly-once submission, collecting the gift links, and the output files.
        .target(
            name: "Sending",
            dependencies: [
                "Spreadsheet",
                "Recipients",
                "GoodyAPI",
                "APIClient",
                "Planning",
                "Ledger",
                "Workbook",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Sources/Sending",
            swiftSettings: strictSettings
        ),
        // The argument-parser commands: each builds one core object and makes one call.
        .target(
            name: "GoodyBatchCLI",
            dependencies: [
                "Spreadsheet",
                "Recipients",
                "GoodyAPI",
                "APIClient",
                "GoodyEmulator",
                "Planning",
                "Ledger",
                "Sending",
                "Workbook",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Sources/CommandLine",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "goody-batch",
            dependencies: [
                "GoodyBatchCLI",
                "GoodyAPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/goody-batch",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "fuzz-reader",
            dependencies: [
                "Spreadsheet", "Recipients", "GoodyAPI", .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            path: "Sources/fuzz-reader",
            swiftSettings: strictSettings
        ),
        // Fixture builders and a runner for the built binary, shared by the test targets.
        .target(
            name: "GoodyBatchTestSupport",
            dependencies: [
                "Spreadsheet",
                "GoodyAPI",
                "APIClient",
                "GoodyEmulator",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            path: "Sources/TestSupport",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SpreadsheetTests",
            dependencies: ["Spreadsheet", "GoodyBatchTestSupport"],
            path: "Tests/SpreadsheetTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "RecipientsTests",
            dependencies: ["Recipients", "Spreadsheet", "GoodyAPI", "GoodyBatchTestSupport"],
            path: "Tests/RecipientsTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "EmulatorTests",
            dependencies: [
                "GoodyEmulator",
                "GoodyAPI",
                "GoodyBatchTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            path: "Tests/EmulatorTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "APIClientTests",
            dependencies: ["APIClient", "GoodyAPI", "GoodyEmulator", "GoodyBatchTestSupport"],
            path: "Tests/APIClientTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PlanningTests",
            dependencies: [
                "Planning", "Recipients", "GoodyAPI", "APIClient", "GoodyEmulator", "GoodyBatchTestSupport",
            ],
            path: "Tests/PlanningTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SendingTests",
            dependencies: [
                "Sending", "Ledger", "Planning", "Recipients", "GoodyAPI", "APIClient", "GoodyEmulator",
                "GoodyBatchTestSupport",
            ],
            path: "Tests/SendingTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CLITests",
            dependencies: [
                // The executables are built for the tests to run; the tests import none of them.
                "goody-batch", "goody-emulator", "GoodyBatchCLI", "GoodyBatchTestSupport", "APIClient", "GoodyAPI",
                "GoodyEmulator", "Ledger", "Planning", "Recipients", "Sending", "Spreadsheet", "Workbook",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Tests/CLITests",
            swiftSettings: strictSettings
        ),
    ]
)
