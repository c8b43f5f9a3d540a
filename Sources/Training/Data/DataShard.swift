/// Which rows of a training split one worker keeps: row i when i % count == index — the interleaving of
/// `Dataset.shard(_:of:)`, so a split decoded shard-only holds exactly the rows a whole decode would give the worker.
public struct DataShard: Hashable, Sendable {
    /// The worker's index, 0 ..< count.
    public let index: Int
    /// Workers sharing the split.
    public let count: Int

    /// Worker `index` of `count`; throws `invalidConfiguration` unless 0 ≤ index < count.
    public init(index: Int, of count: Int) throws {
        guard count > 0, index >= 0, index < count else {
            throw TrainingError(.invalidConfiguration, "shard \(index) of \(count) does not exist")
        }
        self.index = index
        self.count = count
    }

    /// Rows of a split of `total` rows this shard holds.
    public func rows(of total: Int) -> Int { total > index ? (total - index - 1) / count + 1 : 0 }

    /// The split's row that is the shard's `row`-th (row < rows(of:)).
    public func splitRow(_ row: Int) -> Int { index + row * count }
}
