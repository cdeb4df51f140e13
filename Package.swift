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
        .library(name: "Spreadsheet", targets: ["Spreadsheet"]),
        .library(name: "Recipients", targets: ["Recipients"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
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
            dependencies: ["CLibCSV"],
            path: "Sources/Spreadsheet",
            swiftSettings: strictSettings
        ),
        // Column mapping, normalization and the rules of each send method.
        .target(
            name: "Recipients",
            dependencies: ["Spreadsheet"],
            path: "Sources/Recipients",
            swiftSettings: strictSettings
        ),
        // The argument-parser commands: each builds one core object and makes one call.
        .target(
            name: "GoodyBatchCLI",
            dependencies: [
                "Spreadsheet",
                "Recipients",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/CommandLine",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "goody-batch",
            dependencies: [
                "GoodyBatchCLI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/goody-batch",
            swiftSettings: strictSettings
        ),
        // Fixture builders and a runner for the built binary, shared by the test targets.
        .target(
            name: "GoodyBatchTestSupport",
            dependencies: ["Spreadsheet"],
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
            dependencies: ["Recipients", "Spreadsheet", "GoodyBatchTestSupport"],
            path: "Tests/RecipientsTests",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CLITests",
            dependencies: ["goody-batch", "GoodyBatchTestSupport", "Recipients", "Spreadsheet"],
            path: "Tests/CLITests",
            swiftSettings: strictSettings
        ),
    ]
)
