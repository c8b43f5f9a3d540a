import TensorWire

/// Yields one epoch of batches over a dataset (typically a worker's shard), shuffled by a
/// stream derived from (seed, epoch, worker); the last batch may be short unless `dropLast`.
public struct BatchIterator: IteratorProtocol, Sequence, Sendable {
    /// The rows iterated.
    public let dataset: Dataset
    /// Rows per batch.
    public let batchSize: Int
    private let order: [Int]
    private var position = 0

    /// Creates the iterator for one epoch; throws when batchSize ≤ 0.
    public init(dataset: Dataset, batchSize: Int, shuffle: Bool = true, seed: UInt64 = 0, epoch: Int = 0, worker: Int = 0,
                dropLast: Bool = false) throws {
        guard batchSize > 0 else { throw TrainingError(.invalidConfiguration, "batch size must be positive, got \(batchSize)") }
        self.dataset = dataset
        self.batchSize = batchSize
        let n = dataset.count
        var order = Array(0..<n)
        if shuffle {
            var rng = SeededGenerator(seed: seed, stream: stableHash("epoch \(epoch) worker \(worker)"))
            for i in stride(from: n - 1, to: 0, by: -1) {
                order.swapAt(i, Int(rng.next() % UInt64(i + 1)))
            }
        }
        if dropLast { order.removeLast(n % batchSize) }
        self.order = order
    }

    /// Batches this epoch yields.
    public var batchesPerEpoch: Int { order.count / batchSize + (order.count % batchSize == 0 ? 0 : 1) }

    /// The next batch (rows copied into fresh tensors), or nil at the end of the epoch.
    public mutating func next() -> Batch? {
        guard position < order.count else { return nil }
        let end = position + Swift.min(batchSize, order.count - position)
        let rows = order[position..<end]
        position = end
        let features = Tensor(zeros: Shape([rows.count, dataset.width]))
        let labels = Tensor(zeros: Shape([rows.count]))
        // Indices come from 0..<count, so the gather cannot fail.
        try? dataset.gatherRows(rows, features: features, labels: labels)
        return Batch(uncheckedFeatures: features, labels: labels)
    }
}
