import DataPlane
import Foundation
import Synchronization
import Testing
import TensorWire
import Training
import WorkerCore

/// Rows served from full local tables, counting what it was asked (the stand-in for the shards).
private final class FullTableRows: EmbeddingRowSource {
    let full: ParameterSet
    private let asked = Mutex<[Int]>([])

    init(_ full: ParameterSet) { self.full = full }

    /// Keys asked per call (all tables together).
    var calls: [Int] { asked.withLock { $0 } }

    func rows(for keys: [[Int64]], of tables: [SparseTable]) async throws -> [Tensor] {
        asked.withLock { $0.append(keys.reduce(0) { $0 + $1.count }) }
        return gather(keys, tables, from: full)
    }
}

/// Compact tables of `keys` copied from the full tables of `full` (row = key).
private func gather(_ keys: [[Int64]], _ tables: [SparseTable], from full: ParameterSet) -> [Tensor] {
    zip(tables, keys).map { table, keys in
        let source = full.tensors[table.variableIndex], d = table.rowWidth
        let rows = Tensor(zeros: Shape([keys.count, d]))
        for (j, key) in keys.enumerated() { (rows.baseAddress + j * d).update(from: source.baseAddress + Int(key) * d, count: d) }
        return rows
    }
}

/// A predictor of an embedding model served live: it holds no table, reads the rows of each request's distinct ids,
/// and answers exactly what the same model answers on its full tables; a row cache answers hot ids without a read
/// until its rows are a refresh interval old.
@Suite struct EmbeddingPredictorTests {
    static let columns = TabularColumns(categorical: ["color", "shape"], numeric: ["x"], wide: ["color"], buckets: 64, wideBuckets: 64, embeddingDim: 4)

    /// A wide & deep model, its full parameters (random), and a predictor holding only its dense ones.
    static func fixture(rows: (ParameterSet) -> any EmbeddingRowSource) throws -> (dense: Predictor, live: Predictor, source: any EmbeddingRowSource) {
        let model = try WideDeepModel(config: columns.layout, task: .binaryClassification, hidden: [5])
        let preprocessing = Preprocessing(features: columns.featureNames, inputWidth: model.inputWidth, tabular: columns, classes: 2)
        let full = try ParameterSet(variables: model.variables, seed: 11)
        let backend = try ComputeDevice.backend(named: "cpu", threads: 1)
        let dense = try Predictor(model: model, preprocessing: preprocessing, parameters: full, version: 3, backend: backend)
        let compact = try ParameterSet.withoutEmbeddingRows(variables: model.variables)
        for (i, spec) in model.variables.enumerated() where spec.kind != .embedding {
            try compact.tensors[i].copy(from: full.tensors[i])
        }
        let source = rows(full)
        let live = try Predictor(model: model, preprocessing: preprocessing, parameters: compact, version: 3, backend: backend, rows: source)
        return (dense, live, source)
    }

    static func examples(_ n: Int) -> [RawExample] {
        (0..<n).map { i in .fields(["color": .text("c\(i % 7)"), "shape": .text("s\(i % 3)"), "x": .number(Double(i) * 0.25 - 1)]) }
    }

    @Test func aPredictorReadingRowsAnswersWhatTheFullTablesAnswer() async throws {
        let (dense, live, source) = try Self.fixture { FullTableRows($0) }
        #expect(live.readsRows && !dense.readsRows)
        let examples = Self.examples(20)
        let expected = try dense.predict(examples)
        let answered = try await live.prediction(for: examples)
        #expect(answered.version == 3 && answered.outputs.count == 20)
        for (a, b) in zip(answered.outputs, expected.outputs) { #expect(abs(a[0] - b[0]) <= 1e-6, "\(a) vs \(b)") }
        // One read per request, of the distinct keys only: 7 colours + 3 shapes + 7 wide colour ids.
        #expect((source as? FullTableRows)?.calls == [17])
        // Its predictions are awaited: the synchronous path refuses rather than answering with empty tables.
        #expect(throws: RuntimeFailure.self) { try live.predict(examples) }
    }

    @Test func badInstancesAreRefusedNamingTheProblemBeforeAnyRowIsRead() async throws {
        let (_, live, source) = try Self.fixture { FullTableRows($0) }
        let bad: [(RawExample, String)] = [
            (.numbers([1, 2, 3]), "send each example as an object"),
            (.fields(["colour": .text("red")]), "unknown feature \"colour\""),
            (.fields(["color": .text("red"), "x": .text("many")]), "feature \"x\" is not a number"),
        ]
        for (example, sentence) in bad {
            do {
                _ = try await live.prediction(for: [example])
                Issue.record("accepted \(example)")
            } catch let failure as RuntimeFailure {
                #expect(failure.code == .invalidArgument && failure.message.contains(sentence), "\(failure.message)")
            }
        }
        #expect((source as? FullTableRows)?.calls == [])
        // An id outside a table's range (a model fed ids directly) names the instance and the table.
        let tables = [SparseTable(variableIndex: 0, name: "embedding_item", rowWidth: 2, vocabulary: 10, idColumns: [1], keyOffsets: [0], idsPerColumn: 10)]
        let features = Tensor(zeros: Shape([2, 2]))
        features.baseAddress[3] = 12
        #expect(throws: RuntimeFailure.self) { try Predictor.checkIDs(features, tables: tables) }
        do { try Predictor.checkIDs(features, tables: tables) } catch let error as RuntimeFailure {
            #expect(error.code == .invalidArgument && error.message.contains("instance 1: id 12.0 of embedding_item"), "\(error.message)")
        }
    }

    @Test func theRowCacheAnswersHotIdsUntilTheyAreARefreshIntervalOld() async throws {
        var inner: FullTableRows?
        let (_, live, _) = try Self.fixture { full in
            let rows = FullTableRows(full)
            inner = rows
            return RowCache(source: rows, lifetime: .milliseconds(300))
        }
        let rows = try #require(inner)
        let first = try await live.prediction(for: Self.examples(20))
        let again = try await live.prediction(for: Self.examples(20))
        #expect(first.outputs == again.outputs)
        // The second request found every row cached; a request with 2 new colours reads only their rows (and wide ids).
        #expect(rows.calls == [17])
        let fresh: [RawExample] = ["new-a", "new-b"].map { .fields(["color": .text($0), "shape": .text("s0"), "x": .number(0)]) }
        _ = try await live.prediction(for: fresh + Self.examples(9))
        #expect(rows.calls == [17, 4])
        // Past the lifetime every row is read again.
        try await Task.sleep(for: .milliseconds(400))
        _ = try await live.prediction(for: Self.examples(20))
        #expect(rows.calls == [17, 4, 17])
    }

    @Test func theRowCacheHoldsAtMostItsBytes() async throws {
        let model = try WideDeepModel(config: Self.columns.layout, task: .binaryClassification, hidden: [5])
        let full = try ParameterSet(variables: model.variables, seed: 11)
        let source = FullTableRows(full)
        // Room for 10 rows of 4 floats: 16 + 64 bytes each.
        let cache = RowCache(source: source, lifetime: .seconds(60), maxBytes: 10 * (16 + 64))
        let table = [model.sparseTables[0]]
        let keys: [Int64] = Array(0..<30)
        let rows = try await cache.rows(for: [keys], of: table)
        #expect(rows[0].count == 30 * 4)
        let expected = gather([keys], table, from: full)
        #expect(Array(UnsafeBufferPointer(start: rows[0].baseAddress, count: 120)) == Array(UnsafeBufferPointer(start: expected[0].baseAddress, count: 120)))
        // Only the newest 10 stayed: asking for all 30 again reads the 20 oldest.
        _ = try await cache.rows(for: [keys], of: table)
        #expect(source.calls == [30, 20])
        #expect(cache.counts.hits == 10 && cache.counts.misses == 50)
    }
}
