// swift-tools-version: 6.0
// Tessera for iOS (and macOS, for `swift build` and `swift test` on a Mac):
// - TesseraFFIC: the Rust core, a binary target (build/TesseraFFIC.xcframework: device,
//   simulator and macOS static libraries with the C header and module.modulemap), built by
//   scripts/build-xcframework.sh, never committed;
// - TesseraFFI: the Swift that the workspace's uniffi-bindgen generates (the same script writes
//   Sources/TesseraFFI/TesseraFFI.swift), in the Swift 5 language mode it is written for;
// - Tessera: the shell (camera frames, Secure Enclave, Keychain, LocalAuthentication).
// Apps depend on the product "Tessera" and may use Swift 6 themselves.
import PackageDescription

let package = Package(
    name: "Tessera",
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [
        .library(name: "Tessera", targets: ["Tessera"]),
    ],
    targets: [
        .binaryTarget(
            name: "TesseraFFIC",
            path: "build/TesseraFFIC.xcframework"
        ),
        .target(
            name: "TesseraFFI",
            dependencies: ["TesseraFFIC"],
            path: "Sources/TesseraFFI",
            exclude: ["README.md"],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .target(
            name: "Tessera",
            dependencies: ["TesseraFFI"],
            path: "Sources/Tessera",
            // Swift 5 mode: the shell was not compiled under Swift 6's strict concurrency
            // checking (no Swift toolchain on Tessera's CI; ios/README.md).
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .testTarget(
            name: "TesseraTests",
            dependencies: ["Tessera"],
            path: "Tests/TesseraTests",
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
    ]
)
