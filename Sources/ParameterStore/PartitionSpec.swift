import TensorWire

/// One partition of a job's variable held by a shard: a slice of rows along dim 0 of the full variable.
public struct PartitionSpec: Sendable, Hashable, Codable {
    /// The variable's id within its job.
    public var variableID: UInt32
    /// The partition index (0 for a whole variable).
    public var partition: UInt32
    /// The full (unpartitioned) variable.
    public var variable: VariableSpec
    /// First row (along dim 0) of the full variable held here; 0 for rank-0 variables.
    public var rowOffset: Int
    /// Rows held here; `shape.dims[0]` for a whole variable, 1 for a rank-0 variable.
    public var rowCount: Int
    /// Initializer seed of the full variable (the same on every partition of it).
    public var seed: UInt64

    /// Creates a partition specification.
    public init(variableID: UInt32, partition: UInt32, variable: VariableSpec, rowOffset: Int, rowCount: Int, seed: UInt64) {
        self.variableID = variableID
        self.partition = partition
        self.variable = variable
        self.rowOffset = rowOffset
        self.rowCount = rowCount
        self.seed = seed
    }

    /// The whole variable as partition 0.
    public static func whole(variableID: UInt32, variable: VariableSpec, seed: UInt64) -> PartitionSpec {
        let rows = variable.shape.rank == 0 ? 1 : variable.shape.dims[0]
        return PartitionSpec(variableID: variableID, partition: 0, variable: variable, rowOffset: 0, rowCount: rows, seed: seed)
    }

    /// The key of this partition.
    public var key: PartitionKey { PartitionKey(variableID: variableID, partition: partition) }

    /// The partition's shape: the full shape with dim 0 replaced by `rowCount` (the full shape for rank 0).
    public var shape: Shape {
        guard variable.shape.rank > 0 else { return variable.shape }
        var dims = variable.shape.dims
        dims[0] = rowCount
        return Shape(dims)
    }

    /// Elements in one row of the full variable (1 for rank 0 and rank 1).
    public var rowWidth: Int { variable.shape.rank == 0 ? 1 : variable.shape.rowWidth }

    /// Whether the partition holds embedding rows keyed by Int64 (sparse access only) rather than a dense slice.
    public var isSparse: Bool { variable.kind == .embedding && variable.shape.rank >= 1 }

    /// Number of elements held here.
    public var elementCount: Int { rowCount * rowWidth }

    /// Throws `invalidArgument` when the slice, dtype or shape is not something a shard can hold.
    public func validate(jobID: UInt64) throws(StoreError) {
        let name = "job \(jobID), variable \(variable.name) (\(key))"
        guard variable.dtype == .f32 else {
            throw StoreError(.invalidArgument, "\(name): dtype \(variable.dtype.name) is not supported by shards yet (f32 only).")
        }
        let dims = variable.shape.dims
        // Every product the shard and the initializers form (all dims, a row's, fan-in) must fit an Int.
        guard variable.shape.checkedElementCount != nil, Shape(Array(dims.dropFirst())).checkedElementCount != nil,
            Shape(Array(dims.dropLast())).checkedElementCount != nil
        else {
            throw StoreError(.invalidArgument, "\(name): shape \(variable.shape) has a negative dimension or more elements than an Int counts.")
        }
        if variable.shape.rank == 0 {
            guard rowOffset == 0, rowCount == 1 else {
                throw StoreError(.invalidArgument, "\(name): a scalar variable must have rowOffset 0 and rowCount 1, got \(rowOffset) and \(rowCount).")
            }
            return
        }
        let rows = dims[0]
        let unbounded = variable.kind == .embedding && rows == 0
        let (end, overflow) = rowOffset.addingReportingOverflow(rowCount)
        guard rowOffset >= 0, rowCount >= 0, !overflow, unbounded || end <= rows else {
            throw StoreError(.invalidArgument, "\(name): \(rowCount) rows from row \(rowOffset) do not fit in the variable's \(rows) rows.")
        }
        guard shape.checkedElementCount != nil else {
            throw StoreError(.invalidArgument, "\(name): partition shape \(shape) overflows.")
        }
        guard !isSparse || rowWidth > 0 else {
            throw StoreError(.invalidArgument, "\(name): an embedding's rows must hold at least one element, shape \(variable.shape).")
        }
    }
}
