import ArgumentParser
import Foundation
import JobSpec
import Logging
import ParameterStore
import TensorWire

/// `tessera-bench apply`: optimizer apply throughput of `ParameterShard.push` (GB/s of parameters
/// updated) for SGD and Adam on one large partition, against memcpy bandwidth in the same run.
struct ApplyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Optimizer apply throughput (SGD, Adam) through ParameterShard.push vs memcpy bandwidth.")

    @Option(help: "Partition size in MiB.")
    var mib = 64

    @Option(help: "Timed iterations per optimizer.")
    var iterations = 10

    @Option(help: "Optimizers (comma-separated): sgd, momentum, adagrad, rmsprop, adam, ftrl.")
    var optimizers = "sgd,adam"

    func run() async throws {
        let bytes = mib << 20
        let memcpyGBps = Memcpy.measure(bytes: bytes, iterations: iterations)
        var results: [(String, Double)] = []
        for name in optimizers.split(separator: ",").map(String.init) {
            guard let kind = OptimizerType(rawValue: name) else { throw ValidationError("unknown optimizer \(name)") }
            results.append((name, try measure(kind, bytes: bytes)))
        }
        print("optimizer apply on one \(mib) MiB partition (ParameterShard.push, async mode, median of \(iterations))")
        BenchOutput.printTable(
            ["optimizer", "GB/s of parameters", "vs memcpy"],
            [["memcpy", String(format: "%.3f", memcpyGBps), "100 %"]]
                + results.map { [$0.0, String(format: "%.3f", $0.1), String(format: "%.0f %%", 100 * $0.1 / memcpyGBps)] })
        let json: [String: Any] = [
            "bench": "apply", "mib": mib, "memcpy_gbps": BenchOutput.round3(memcpyGBps),
            "gbps_definition": "partition bytes / median seconds of one ParameterShard.push / 1e9; memcpy: bytes copied / seconds / 1e9",
            "optimizers": Dictionary(uniqueKeysWithValues: results.map { ($0.0, BenchOutput.round3($0.1)) }),
        ]
        let path = try BenchOutput.writeJSON("apply", json)
        print("wrote \(path)")
        let adam = results.first { $0.0 == "adam" }?.1 ?? .nan
        print(BenchOutput.result(["bench": "apply", "optimizer": "adam", "gbps": adam, "memcpy_gbps": memcpyGBps, "ratio": adam / memcpyGBps]))
    }

    private func measure(_ kind: OptimizerType, bytes: Int) throws -> Double {
        let shard = ParameterShard(logger: Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() })
        let width = 1024
        let rows = bytes / 4 / width
        let variable = VariableSpec(name: "w", shape: Shape([rows, width]), initializer: .constant(0.5))
        try shard.createJob(
            jobID: 1, partitions: [PartitionSpec(variableID: 0, partition: 0, variable: variable, rowOffset: 0, rowCount: rows, seed: 1)],
            optimizer: OptimizerConfig(kind: kind, learningRate: 1e-3), consistency: .async)
        let gradient = UnsafeMutableBufferPointer<Float>.allocate(capacity: rows * width)
        defer { gradient.deallocate() }
        for i in 0..<gradient.count { gradient[i] = Float(i % 7) * 1e-3 }
        let key = PartitionKey(variableID: 0, partition: 0)
        var times: [Double] = []
        for step in 0..<(iterations + 1) {
            let t = try BenchOutput.time {
                _ = try shard.push(PushRequest(jobID: 1, workerID: 0, version: UInt64(step), gradients: [.partition(key, UnsafeBufferPointer(gradient))]))
            }
            if step > 0 { times.append(t) }
        }
        return Double(bytes) / BenchOutput.median(times) / 1e9
    }
}
