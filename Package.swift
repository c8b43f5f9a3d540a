// swift-tools-version:6.1
import PackageDescription

/// Tessera: a parameter-server training cluster (psd, workerd, clusterctl).
let package = Package(
    name: "Tessera",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "psd", targets: ["psd"]),
        .executable(name: "workerd", targets: ["workerd"]),
        .executable(name: "clusterctl", targets: ["clusterctl"]),
        .executable(name: "tessera-bench", targets: ["tessera-bench"]),
        .library(name: "TensorWire", targets: ["TensorWire"]),
        .library(name: "Training", targets: ["Training"]),
        .library(name: "WorkerdCommand", targets: ["WorkerdCommand", "ClusterRuntime"]),
    ],
    // Ranges (from: the version tested), not exact pins, so a package that depends on WorkerdCommand can combine it with
    // its own dependencies; CHANGELOG.md notes when the tested versions move.
    dependencies: [
        .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // System-library shims.
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),

        // Logic modules: no gRPC, no NIO.
        .target(name: "CCRC32C"),
        .target(name: "TensorWire", dependencies: ["CCRC32C"]),
        // The job spec's words, bounds, validation, YAML parser and printer: pure, below every other logic module.
        .target(name: "JobSpec", dependencies: ["TensorWire", .product(name: "Yams", package: "Yams")]),
        .target(
            name: "ParameterStore",
            dependencies: ["TensorWire", "JobSpec", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "Training",
            dependencies: ["TensorWire", "JobSpec", "CBLAS", "CZlib", .product(name: "Logging", package: "swift-log")]
        ),
        // The data plane without a transport: the shard's request handler, the worker's ParameterClient, the channel
        // protocol and an in-memory channel, so a worker and a shard meet in one process without sockets.
        .target(
            name: "DataPlane",
            dependencies: ["TensorWire", "JobSpec", "ParameterStore", .product(name: "Logging", package: "swift-log")]
        ),
        // A worker without the control plane: its data, model building and step loop over a ParameterClient.
        .target(
            name: "WorkerCore",
            dependencies: ["DataPlane", "Training", "JobSpec", "TensorWire", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "Coordinator",
            dependencies: [
                "TensorWire", "JobSpec", "Tuning",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Hyperparameter tuning without a cluster: the study spec (`tuning:`), search algorithms, early stopping, study state.
        .target(name: "Tuning", dependencies: ["JobSpec", .product(name: "Yams", package: "Yams"), .product(name: "Logging", package: "swift-log")]),

        // The coordinator's durable state: SQLite in its data dir.
        .target(
            name: "CoordinatorStore",
            dependencies: ["Coordinator", "CSQLite", .product(name: "Logging", package: "swift-log")]
        ),

        // Generated control-plane code.
        .target(
            name: "ClusterAPI",
            dependencies: [
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),

        // Services, clients, transports: the only library that touches the network.
        .target(
            name: "ClusterRuntime",
            dependencies: [
                "TensorWire", "JobSpec", "ParameterStore", "DataPlane", "WorkerCore", "Training", "Coordinator", "CoordinatorStore", "ClusterAPI", "CSystemd",
                .product(name: "Yams", package: "Yams"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),

        // Thin executables.
        .executableTarget(
            name: "psd",
            dependencies: ["ClusterRuntime", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // The workerd command as a library, so users build their own workerd with registered models.
        .target(
            name: "WorkerdCommand",
            dependencies: ["ClusterRuntime", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(name: "workerd", dependencies: ["WorkerdCommand"]),
        .executableTarget(name: "tessera-example-worker", dependencies: ["WorkerdCommand", "ClusterRuntime", "Training"]),
        // What clusterctl shows and reads: Codable summaries (the `--json`/`-o` contract), tables, the describe page,
        // the client config file (contexts), spec checks and `wait` conditions.
        .target(name: "ClusterPresentation", dependencies: ["ClusterRuntime", "ClusterAPI", "JobSpec", .product(name: "Yams", package: "Yams")]),
        .executableTarget(
            name: "clusterctl",
            dependencies: ["ClusterRuntime", "ClusterPresentation", "Tuning", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),

        // Benchmarks (scripts/bench): data plane, optimizer apply, training throughput.
        .executableTarget(
            name: "tessera-bench",
            dependencies: [
                "ClusterRuntime", "ClusterAPI", "ParameterStore", "TensorWire", "Training", "JobSpec", "Coordinator", "CoordinatorStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Fuzz targets (scripts/fuzz builds them with -sanitize=fuzzer; plain builds replay a corpus).
        .target(name: "FuzzSupport"),
        .executableTarget(name: "fuzz-tensorwire", dependencies: ["TensorWire", "FuzzSupport"]),
        // Job specs: YAML → spec → YAML and spec → protobuf → spec (ClusterRuntime's mapping).
        .executableTarget(name: "fuzz-jobspec", dependencies: ["JobSpec", "ClusterRuntime", "ClusterAPI", "FuzzSupport"]),
        // Prediction request bodies (TF Serving's REST JSON) through PredictionAPI, and the HTTP server's fast reader of number rows against it.
        .executableTarget(name: "fuzz-predict", dependencies: ["DataPlane", "WorkerCore", "Training", "TensorWire", "FuzzSupport", "ClusterRuntime"]),
        // Data readers (CSV, IDX, LibSVM, TFRecord, tf.train.Example, gzip) and the safetensors header.
        .executableTarget(name: "fuzz-data", dependencies: ["Training", "JobSpec", "TensorWire", "FuzzSupport"]),
        // Native data-plane framing: bytes of a hostile connection through the server's pipeline.
        .executableTarget(
            name: "fuzz-native",
            dependencies: [
                "ClusterRuntime", "ParameterStore", "TensorWire", "FuzzSupport",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        // Data-plane request frames handed to a shard's DataPlaneHandler.
        .executableTarget(name: "fuzz-dataplane", dependencies: ["ClusterRuntime", "ParameterStore", "TensorWire", "FuzzSupport"]),
        // Every control-plane request decoded from protobuf bytes and handed to its in-process service.
        .executableTarget(
            name: "fuzz-controlplane",
            dependencies: [
                "ClusterRuntime", "ClusterAPI", "ParameterStore", "FuzzSupport",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCInProcessTransport", package: "grpc-swift-2"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
            ]),

        // Slow-link TCP proxy (delay, stall, drop) for fault tests and scripts.
        .target(
            name: "LinkProxy",
            dependencies: [.product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")]
        ),
        .executableTarget(name: "tessera-linkproxy", dependencies: ["LinkProxy"]),

        // Tests.
        .testTarget(name: "TensorWireTests", dependencies: ["TensorWire"]),
        .testTarget(name: "ParameterStoreTests", dependencies: ["ParameterStore", "JobSpec"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "JobSpec"]),
        .testTarget(name: "CoordinatorTests", dependencies: ["Coordinator", "JobSpec", "Tuning"]),
        .testTarget(name: "TuningTests", dependencies: ["Tuning", "JobSpec"]),
        .testTarget(name: "CoordinatorStoreTests", dependencies: ["CoordinatorStore", "Coordinator", "Tuning"]),
        .testTarget(
            name: "ClusterRuntimeTests",
            dependencies: [
                "ClusterRuntime", "ClusterAPI", "ClusterPresentation", "TensorWire", "ParameterStore", "LinkProxy", "JobSpec", "Training",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // The data plane and a worker's step loop against real shards through in-memory channels: no sockets.
        .testTarget(
            name: "DataPlaneTests",
            dependencies: [
                "DataPlane", "WorkerCore", "ParameterStore", "Training", "JobSpec", "TensorWire",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "ClusterctlTests",
            dependencies: ["ClusterPresentation", "ClusterRuntime", "ClusterAPI", "TensorWire", .product(name: "Yams", package: "Yams")]),
        .testTarget(name: "EndToEndTests", dependencies: ["ClusterRuntime", "TensorWire"]),
    ],
    swiftLanguageModes: [.v6]
)
