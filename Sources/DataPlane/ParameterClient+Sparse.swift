import TensorWire

extension ParameterClient {
    /// Where each embedding partition of a variable lives: (link index, route), indexed by partition.
    func sparsePartitions(_ variableID: UInt32) throws -> [(link: Int, route: PartitionRoute)] {
        var found: [(link: Int, route: PartitionRoute)] = []
        for (l, link) in links.enumerated() {
            for r in link.sparseRoutes where r.variableID == variableID { found.append((l, r)) }
        }
        found.sort { $0.route.partition < $1.route.partition }
        guard !found.isEmpty, found.enumerated().allSatisfy({ $0.offset == Int($0.element.route.partition) }) else {
            throw RuntimeFailure(.invalidArgument, "job \(jobID): variable \(variableID) is not an embedding routed to this worker (partitions 0..<n expected)")
        }
        return found
    }

    /// Positions of `keys` grouped by the partition owning each key (`RowKeyPartitioner`, as the coordinator places them).
    static func group(_ keys: [Int64], partitions: Int) -> [[Int]] {
        var groups = Array(repeating: [Int](), count: partitions)
        for (i, k) in keys.enumerated() { groups[RowKeyPartitioner.shardIndex(forRowKey: k, shardCount: partitions)].append(i) }
        return groups
    }

    /// Pulls the embedding rows of `keys` (any order, repeats allowed) of variable `variableID` into `rows`
    /// (`keys.count × width` floats, row i for key i), asking the shards that own them in parallel; a shard
    /// first waits (sync mode) until it is at least at `minimumVersions[link]`. Returns the versions per shard
    /// link (shards not asked keep the version they last reported). One variable's case of `pullRows`.
    @discardableResult
    public func pullSparse(
        variableID: UInt32, keys: [Int64], into rows: UnsafeMutableBufferPointer<Float>, minimumVersions: [UInt64]? = nil
    ) async throws -> [UInt64] {
        try await pullRows([SparseRowBuffer(variableID: variableID, keys: keys, rows: rows)], minimumVersions: minimumVersions)
    }
}
