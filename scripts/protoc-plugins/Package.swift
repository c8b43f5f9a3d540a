// swift-tools-version:6.1
import PackageDescription

/// Builds the protoc plugins used by scripts/gen-proto, pinned to the versions the project links.
let package = Package(
    name: "ProtocPlugins",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", exact: "2.4.1"),
    ],
    targets: [
        .target(
            name: "Placeholder",
            dependencies: [
                .product(name: "protoc-gen-swift", package: "swift-protobuf"),
                .product(name: "protoc-gen-grpc-swift-2", package: "grpc-swift-protobuf"),
            ]
        )
    ]
)
