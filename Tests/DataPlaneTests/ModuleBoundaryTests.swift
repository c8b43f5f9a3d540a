import Foundation
import Testing

/// The logic modules never import the network: no gRPC, NIO, generated protobuf code or service lifecycle. Only
/// ClusterRuntime (and what sits on it) touches sockets, so everything below it is tested without them.
@Suite struct ModuleBoundaryTests {
    static let logicModules = ["TensorWire", "JobSpec", "ParameterStore", "DataPlane", "WorkerCore", "Training", "Coordinator", "CoordinatorStore", "Tuning"]
    static let networkModules = ["GRPC", "NIO", "ClusterAPI", "SwiftProtobuf", "ServiceLifecycle", "ClusterRuntime"]

    @Test(arguments: logicModules) func importsNoNetworkModule(_ module: String) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = root.appendingPathComponent("Sources/\(module)")
        let files = try #require(FileManager.default.enumerator(atPath: dir.path)).compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }
        #expect(!files.isEmpty, "no sources found for \(module) at \(dir.path)")
        for file in files {
            let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
            for line in text.split(separator: "\n") where line.hasPrefix("import ") || line.hasPrefix("@_exported import ") || line.hasPrefix("@testable import ") {
                let imported = line.split(separator: " ").last.map(String.init) ?? ""
                #expect(!Self.networkModules.contains { imported.hasPrefix($0) }, "\(module)/\(file) imports \(imported)")
            }
        }
    }
}
