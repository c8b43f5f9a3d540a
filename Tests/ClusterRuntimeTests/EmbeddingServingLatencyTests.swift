import ClusterRuntime
import Foundation
import Logging
import ParameterStore
import Testing
import TensorWire
import Training

/// A measurement, not a check (run with TESSERA_MEASURE_SERVING=1): batch-1 latency of a live-served click-log model
/// (26 hashed fields × 16-wide embeddings + a wide part over 2 psd, native data plane), ids drawn from a Zipf law, each
/// request reading its rows from the shards directly, or through the replica's `RowCache`.
@Suite(.serialized) struct EmbeddingServingLatencyTests {
    static let measuring = ProcessInfo.processInfo.environment["TESSERA_MEASURE_SERVING"] == "1"
    /// Hashed fields (TESSERA_MEASURE_FIELDS, default 26 as the click log), numbers and buckets per field.
    static let fields = ProcessInfo.processInfo.environment["TESSERA_MEASURE_FIELDS"].flatMap { Int($0) }.map { min(max($0, 1), 64) } ?? 26
    static let numeric = 13, buckets = 100_000

    /// Zipf(s = 1.05) over 1…n, by inverse CDF.
    struct Zipf {
        let cdf: [Double]
        init(n: Int, s: Double = 1.05) {
            var sum = 0.0
            var cdf: [Double] = []
            cdf.reserveCapacity(n)
            for k in 1...n { sum += 1 / pow(Double(k), s); cdf.append(sum) }
            self.cdf = cdf.map { $0 / sum }
        }
        func sample(_ u: Double) -> Int {
            var lo = 0, hi = cdf.count - 1
            while lo < hi { let mid = (lo + hi) / 2; if cdf[mid] < u { lo = mid + 1 } else { hi = mid } }
            return lo + 1
        }
    }

    @Test(.enabled(if: measuring, "set TESSERA_MEASURE_SERVING=1 to measure")) func batchOneLatencyWithAndWithoutTheRowCache() async throws {
        var logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        logger.logLevel = .critical
        let categorical = (1...Self.fields).map { "c\($0)" }
        let columns = TabularColumns(
            categorical: categorical, numeric: (1...Self.numeric).map { "n\($0)" }, wide: categorical, buckets: Self.buckets, wideBuckets: Self.buckets,
            embeddingDim: 16)
        let model = try WideDeepModel(config: columns.layout, task: .binaryClassification, hidden: [64, 32])
        let preprocessing = Preprocessing(features: columns.featureNames, inputWidth: model.inputWidth, tabular: columns, classes: 2)

        // Two psd: every embedding variable hash-partitioned over both, the dense ones whole on the first.
        var daemons: [ParameterServerDaemon] = [], addresses: [HostPort] = []
        for i in 0..<2 {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-latency-\(UUID().uuidString)").path
            let daemon = try ParameterServerDaemon(
                config: ParameterServerConfig(listen: HostPort(host: "127.0.0.1", port: 0), dataDir: dir, coordinator: nil, name: "ps-\(i)"), logger: logger)
            _ = try await daemon.start()
            addresses.append(try #require(try await daemon.dataAddress()))
            daemons.append(daemon)
        }
        var routes: [[PartitionRoute]] = [[], []]
        var partitions: [[PartitionSpec]] = [[], []]
        for (i, v) in model.variables.enumerated() {
            if v.kind == .embedding {
                for p in 0..<2 {
                    partitions[p].append(PartitionSpec(variableID: UInt32(i), partition: UInt32(p), variable: v, rowOffset: 0, rowCount: 0, seed: 1))
                    routes[p].append(PartitionRoute(variableID: UInt32(i), partition: UInt32(p), variableIndex: i, elementOffset: 0, shape: v.shape, isSparse: true))
                }
            } else {
                partitions[0].append(.whole(variableID: UInt32(i), variable: v, seed: 1))
                routes[0].append(PartitionRoute(variableID: UInt32(i), partition: 0, variableIndex: i, elementOffset: 0, shape: v.shape))
            }
        }
        for (d, parts) in zip(daemons, partitions) { try d.shard.createJob(jobID: 1, partitions: parts, optimizer: .sgd(0.1), consistency: .async) }
        let client = try ParameterClient(jobID: 1, workerID: UInt32.max, routes: Array(zip(addresses, routes)), timeout: .seconds(10)) {
            try DataPlaneChannels.make(.native, address: $0)
        }
        let dense = try ParameterSet.withoutEmbeddingRows(variables: model.variables)
        try await client.pull(into: VariableBuffers(dense.tensors.map { UnsafeMutableBufferPointer(start: $0.baseAddress, count: $0.count) }))

        // Requests: 26 Zipf ids (as text, hashed like the training CSV), 13 numbers.
        let zipf = Zipf(n: Self.buckets)
        var generator = SystemRandomNumberGenerator()
        func request() -> RawExample {
            var fields: [String: Preprocessing.RawValue] = [:]
            for name in categorical { fields[name] = .text("v\(zipf.sample(Double.random(in: 0..<1, using: &generator)))") }
            for n in 1...Self.numeric { fields["n\(n)"] = .number(Double.random(in: 0..<1, using: &generator)) }
            return .fields(fields)
        }
        let requests = (0..<3000).map { _ in request() }
        // The rows a trained job holds: the ids of the first requests created by a creating pull (as training would).
        let backend = try ComputeDevice.backend(named: "cpu", threads: 1)
        let reader = ShardRowReader(shards: client)
        let training = try Predictor(
            model: model, preprocessing: preprocessing, parameters: dense, version: 1, backend: backend, rows: CreatingRows(shards: client))
        for r in requests { _ = try await training.prediction(for: [r]) }
        // The last one is the floor: every row cached beforehand, so no request makes a round trip.
        let sources: [(String, any EmbeddingRowSource, warm: Int)] = [
            ("no cache", reader, 200),
            ("cache 100 ms", RowCache(source: reader, lifetime: .milliseconds(100)), 200),
            ("cache 1 s", RowCache(source: reader, lifetime: .seconds(1)), 200),
            ("every row cached (no round trip)", RowCache(source: reader, lifetime: .seconds(3600)), requests.count),
        ]
        var report: [String] = []
        for (name, source, warm) in sources {
            let predictor = try Predictor(model: model, preprocessing: preprocessing, parameters: dense, version: 1, backend: backend, rows: source)
            for r in requests.prefix(warm) { _ = try await predictor.prediction(for: [r]) }
            if let cache = source as? RowCache { cache.resetCounts() }
            var latencies: [Double] = []
            let clock = ContinuousClock()
            let started = clock.now
            for r in requests {
                let t = clock.now
                _ = try await predictor.prediction(for: [r])
                let d = clock.now - t
                latencies.append(Double(d.components.seconds) * 1e6 + Double(d.components.attoseconds) / 1e12)
            }
            let total = clock.now - started
            latencies.sort()
            let hits = (source as? RowCache).map { c in " hit rate \(String(format: "%.0f", 100 * Double(c.counts.hits) / Double(max(c.counts.hits + c.counts.misses, 1))))%" } ?? ""
            report.append(String(format: "%@: p50 %.0f µs, p90 %.0f µs, p99 %.0f µs, %.0f requests/s", name,
                                 latencies[latencies.count / 2], latencies[latencies.count * 9 / 10], latencies[latencies.count * 99 / 100],
                                 Double(latencies.count) / (Double(total.components.seconds) + Double(total.components.attoseconds) / 1e18)) + hits)
        }
        print("batch-1 latency, click-log wide & deep (\(Self.fields) × 16-wide tables + wide, 2 psd, native):\n  " + report.joined(separator: "\n  "))
        client.close()
        for d in daemons { await d.stop() }
    }
}

/// Pulls that create the rows they read, as training's do (to give the shards the rows a trained job holds).
private struct CreatingRows: EmbeddingRowSource {
    let shards: ParameterClient

    func rows(for keys: [[Int64]], of tables: [SparseTable]) async throws -> [Tensor] {
        let out = zip(tables, keys).map { Tensor(zeros: Shape([$1.count, $0.rowWidth])) }
        try await shards.pullRows(zip(zip(tables, keys), out).map { tk, tensor in
            SparseRowBuffer(variableID: UInt32(tk.0.variableIndex), keys: tk.1, rows: UnsafeMutableBufferPointer(start: tensor.baseAddress, count: tensor.count))
        })
        return out
    }
}
