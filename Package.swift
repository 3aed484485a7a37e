// swift-tools-version:6.0
import PackageDescription

// The libFuzzer target links only into a fuzzing build (`.ci/fuzz`), which provides `main`.
let fuzzing = Context.environment["CONVLINT_FUZZ"] != nil

let package = Package(
    name: "convlint",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "ConvLintKit", targets: ["ConvLintKit"]),
        .library(name: "ConvLintExecutor", targets: ["ConvLintExecutor"]),
        .library(name: "ConvLintONNX", targets: ["ConvLintONNX"]),
        .executable(name: "convlint", targets: ["convlint"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
    ],
    targets: [
        // The static pipeline: parse → expand → infer shapes → costs → report.
        .target(
            name: "ConvLintKit",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        // The hot loops in C, compiled per instruction set and chosen at run time.
        .target(name: "CKernels"),
        // The executor: real tensors, one kernel per layer kind, measured against the static figures.
        .target(name: "ConvLintExecutor", dependencies: ["ConvLintKit", "CKernels"]),
        // ONNX in and out: the checked network as an ONNX model (onnx.pb.swift is generated
        // from onnx.proto by regenerate.sh and committed).
        .target(
            name: "ConvLintONNX",
            dependencies: ["ConvLintKit", "ConvLintExecutor", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            exclude: ["onnx.proto", "regenerate.sh"]
        ),
        // The command line: flags in, library call, text out.
        .executableTarget(
            name: "convlint",
            dependencies: [
                "ConvLintKit",
                "ConvLintExecutor",
                "ConvLintONNX",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // What the front end promises about any input, and networks drawn from the grammar:
        // shared by the property tests and the fuzzer.
        .target(name: "ConvLintFuzzing", dependencies: ["ConvLintKit", "ConvLintExecutor"]),
        .testTarget(
            name: "ConvLintKitTests",
            dependencies: [
                "ConvLintKit", "ConvLintExecutor", "ConvLintFuzzing", "ConvLintONNX", .product(name: "Yams", package: "Yams"),
            ],
            resources: [.copy("Fixtures")]
        ),
    ]
)

if fuzzing {
    package.targets.append(.executableTarget(name: "convlint-fuzz", dependencies: ["ConvLintFuzzing"]))
}
