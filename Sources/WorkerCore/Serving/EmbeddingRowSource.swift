import DataPlane
import TensorWire
import Training

/// Where a predictor of an embedding model served live reads the rows of each request's distinct ids.
public protocol EmbeddingRowSource: Sendable {
    /// Per table, a `[keys[t].count, tables[t].rowWidth]` tensor whose row j holds key `keys[t][j]`.
    func rows(for keys: [[Int64]], of tables: [SparseTable]) async throws -> [Tensor]
}

/// Reads rows from the job's shards with one row pull per shard (`ParameterClient.pullRows`), as a worker's
/// evaluation does but creating nothing: a row no step has touched is answered with the values it would be created
/// with (`EntryFlags.existingRowsOnly`), so serving never grows a shard's tables or changes training. Each pull has
/// the client's deadline; whatever fails is UNAVAILABLE with a sentence naming the shard.
public struct ShardRowReader: EmbeddingRowSource {
    /// The job's shards.
    public let shards: ParameterClient

    /// A reader of `shards`.
    public init(shards: ParameterClient) { self.shards = shards }

    /// The rows of `keys`, pulled now.
    public func rows(for keys: [[Int64]], of tables: [SparseTable]) async throws -> [Tensor] {
        let out = zip(tables, keys).map { Tensor(zeros: Shape([$1.count, $0.rowWidth])) }
        let buffers = SparseRowBuffer.over(tables, keys: keys, rows: out).filter { !$0.keys.isEmpty }
        guard !buffers.isEmpty else { return out }
        do {
            try await shards.pullRows(buffers, creating: false)
        } catch is CancellationError {
            throw RuntimeFailure(.cancelled, "the request was cancelled while its embedding rows were read")
        } catch {
            let failure = error as? RuntimeFailure
            let shard = failure?.shard.map { " (shard \($0))" } ?? ""
            throw RuntimeFailure(.unavailable, "cannot read this request's embedding rows from the job's shards\(shard): \(failure?.message ?? "\(error)")")
        }
        return out
    }
}
