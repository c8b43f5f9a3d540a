import ClusterAPI
import TensorWire

/// Turns a job's placement into per-shard partition routes and the list of full variables.
public struct RoutePlan: Sendable {
    /// A variable as listed in the placement: its name and full shape, indexed by variable id.
    public struct Variable: Sendable {
        /// Documented name.
        public var name: String
        /// Full shape.
        public var shape: Shape
    }

    /// Variables in variable-id order.
    public var variables: [Variable]
    /// Per shard data-plane address, the partitions it holds.
    public var routes: [(HostPort, [PartitionRoute])]

    /// Builds the plan; variable ids index `variables`.
    public init(placement: [Tessera_V1_PartitionPlacement]) {
        let count = Int(placement.map(\.variableID).max() ?? 0) + 1
        var variables = Array(repeating: Variable(name: "", shape: Shape([])), count: placement.isEmpty ? 0 : count)
        var byShard: [String: [PartitionRoute]] = [:]
        var order: [String] = []
        for p in placement {
            let shape = Shape(p.shape.map { Int($0) })
            variables[Int(p.variableID)] = Variable(name: p.variable, shape: shape)
            // Embedding partitions (hash-partitioned rows, moved by key) keep the variable's shape.
            let sparse = p.kind == VariableKind.embedding.rawValue
            var partitionDims = shape.dims
            if !partitionDims.isEmpty, !sparse { partitionDims[0] = Int(p.rowCount) }
            let route = PartitionRoute(
                variableID: p.variableID, partition: p.partition, variableIndex: Int(p.variableID),
                elementOffset: Int(p.rowOffset) * shape.rowWidth, shape: Shape(partitionDims), isSparse: sparse)
            if byShard[p.shardAddress] == nil { order.append(p.shardAddress) }
            byShard[p.shardAddress, default: []].append(route)
        }
        self.variables = variables
        self.routes = order.compactMap { address in
            guard let hp = try? HostPort(parsing: address) else { return nil }
            return (hp, byShard[address] ?? [])
        }
    }
}
