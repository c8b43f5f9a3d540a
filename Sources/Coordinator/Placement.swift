import TensorWire

/// A parameter-server shard a job's variables can be placed on.
public struct ShardTarget: Sendable, Hashable, Codable {
    /// The ps node's id.
    public var nodeID: NodeID
    /// The ps node's advertised "host:port".
    public var address: String

    /// Creates a shard target.
    public init(nodeID: NodeID, address: String) {
        self.nodeID = nodeID
        self.address = address
    }

    enum CodingKeys: String, CodingKey {
        case address
        case nodeID = "node_id"
    }
}

/// One partition of one variable and the shard that holds it.
public struct PartitionAssignment: Sendable, Hashable, Codable {
    /// The variable's index in the declared list (its id on the wire).
    public var variableID: UInt32
    /// The full variable.
    public var variable: VariableSpec
    /// Partition index within the variable (dense: along dim 0 in row order; embedding: the shard's index).
    public var partition: UInt32
    /// Where the partition lives.
    public var shard: ShardTarget
    /// First row of dim 0 held (dense partitions; 0 for whole variables and embeddings).
    public var rowOffset: Int
    /// Rows of dim 0 held (dense; for embeddings the vocabulary hint's share, 0 when unbounded).
    public var rowCount: Int
    /// Bytes the partition occupies (embeddings: an estimate from the vocabulary hint).
    public var bytes: Int

    /// Creates a partition assignment.
    public init(
        variableID: UInt32, variable: VariableSpec, partition: UInt32, shard: ShardTarget, rowOffset: Int, rowCount: Int,
        bytes: Int
    ) {
        self.variableID = variableID
        self.variable = variable
        self.partition = partition
        self.shard = shard
        self.rowOffset = rowOffset
        self.rowCount = rowCount
        self.bytes = bytes
    }

    enum CodingKeys: String, CodingKey {
        case variable, partition, shard, bytes
        case variableID = "variable_id"
        case rowOffset = "row_offset"
        case rowCount = "row_count"
    }
}

/// Where every partition of a job's variables lives; part of the job's state and shown by `describe`.
public struct Placement: Sendable, Hashable, Codable {
    /// The shards used, in order (embedding partition i lives on shard i).
    public var shards: [ShardTarget]
    /// Every partition, ordered by (variable id, partition).
    public var partitions: [PartitionAssignment]

    /// Creates a placement.
    public init(shards: [ShardTarget], partitions: [PartitionAssignment]) {
        self.shards = shards
        self.partitions = partitions
    }

    /// The declared variables, by variable id.
    public var variables: [VariableSpec] {
        var seen = Set<UInt32>()
        return partitions.filter { seen.insert($0.variableID).inserted }.map(\.variable)
    }

    /// Partitions of one variable, in partition order.
    public func partitions(ofVariable id: UInt32) -> [PartitionAssignment] {
        partitions.filter { $0.variableID == id }
    }

    /// Partitions held by one shard node.
    public func partitions(on node: NodeID) -> [PartitionAssignment] {
        partitions.filter { $0.shard.nodeID == node }
    }

    /// Bytes placed on each shard, in shard order.
    public var bytesPerShard: [Int] {
        shards.map { s in partitions.filter { $0.shard.nodeID == s.nodeID }.reduce(0) { $0 + $1.bytes } }
    }
}
