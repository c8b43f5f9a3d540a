import ClusterAPI
import ParameterStore
import TensorWire

/// Conversions of variables and partitions to and from their protobuf forms.
extension Initializer {
    /// The initializer's name and numeric arguments as carried in protobuf.
    var wire: (name: String, args: [Float]) {
        switch self {
        case .zeros: ("zeros", [])
        case .constant(let v): ("constant", [v])
        case .uniform(let lo, let hi): ("uniform", [lo, hi])
        case .truncatedNormal(let mean, let std): ("truncated_normal", [mean, std])
        case .glorotUniform: ("glorot_uniform", [])
        case .heNormal: ("he_normal", [])
        }
    }

    /// Parses a name and arguments; a sentence names what is wrong.
    init(name: String, args: [Float], variable: String) throws(RuntimeFailure) {
        func need(_ n: Int) throws(RuntimeFailure) {
            guard args.count == n else {
                throw RuntimeFailure(.invalidArgument, "variable \(variable): initializer \(name) takes \(n) arguments, got \(args.count)")
            }
        }
        guard args.allSatisfy(\.isFinite) else {
            throw RuntimeFailure(.invalidArgument, "variable \(variable): initializer \(name) arguments must be finite numbers, got \(args)")
        }
        switch name {
        case "zeros", "": self = .zeros
        case "constant": try need(1); self = .constant(args[0])
        case "uniform": try need(2); self = .uniform(low: args[0], high: args[1])
        case "truncated_normal": try need(2); self = .truncatedNormal(mean: args[0], stddev: args[1])
        case "glorot_uniform": self = .glorotUniform
        case "he_normal": self = .heNormal
        default:
            throw RuntimeFailure(.invalidArgument, "variable \(variable): unknown initializer \"\(name)\"")
        }
    }
}

extension VariableSpec {
    /// The declaration a chief worker sends.
    var decl: Tessera_V1_VariableDecl {
        .with {
            $0.name = name
            $0.shape = shape.dims.map { Int64($0) }
            $0.dtype = dtype.name
            $0.kind = kind.rawValue
            let (n, a) = initializer.wire
            $0.initializer = n
            $0.initializerArgs = a
        }
    }

    /// Validates and converts a declaration.
    init(decl: Tessera_V1_VariableDecl) throws(RuntimeFailure) {
        guard !decl.name.isEmpty else { throw RuntimeFailure(.invalidArgument, "a declared variable has no name") }
        guard let dtype = DType(name: decl.dtype.isEmpty ? "f32" : decl.dtype) else {
            throw RuntimeFailure(.invalidArgument, "variable \(decl.name): unknown dtype \"\(decl.dtype)\"")
        }
        guard dtype == .f32 else {
            throw RuntimeFailure(.invalidArgument, "variable \(decl.name): dtype \(dtype.name) is not supported yet; shards hold f32")
        }
        guard let kind = VariableKind(rawValue: decl.kind.isEmpty ? "dense" : decl.kind) else {
            throw RuntimeFailure(.invalidArgument, "variable \(decl.name): unknown kind \"\(decl.kind)\" (expected dense or embedding)")
        }
        let shape = Shape(decl.shape.map { Int(clamping: $0) })
        guard decl.shape.count <= 8, let count = shape.checkedElementCount, count > 0, count <= (1 << 31) else {
            throw RuntimeFailure(.invalidArgument, "variable \(decl.name): invalid shape \(shape) (1 to 2^31 elements, rank ≤ 8)")
        }
        self.init(name: decl.name, shape: shape, dtype: dtype, kind: kind,
                  initializer: try Initializer(name: decl.initializer, args: decl.initializerArgs, variable: decl.name))
    }
}

extension PartitionSpec {
    /// The protobuf form sent to a shard.
    var proto: Tessera_V1_PartitionSpecMsg {
        .with {
            $0.variableID = variableID
            $0.partition = partition
            $0.name = variable.name
            $0.shape = variable.shape.dims.map { Int64($0) }
            $0.dtype = variable.dtype.name
            $0.kind = variable.kind.rawValue
            let (n, a) = variable.initializer.wire
            $0.initializer = n
            $0.initializerArgs = a
            $0.rowOffset = Int64(rowOffset)
            $0.rowCount = Int64(rowCount)
            $0.seed = seed
        }
    }

    /// Validates and converts a partition sent by the coordinator.
    init(proto: Tessera_V1_PartitionSpecMsg) throws(RuntimeFailure) {
        let variable = try VariableSpec(decl: .with {
            $0.name = proto.name
            $0.shape = proto.shape
            $0.dtype = proto.dtype
            $0.kind = proto.kind
            $0.initializer = proto.initializer
            $0.initializerArgs = proto.initializerArgs
        })
        let rows = variable.shape.dims.first ?? 1
        // Both come from the request: any Int64, so the end is computed with an overflow check.
        let (end, overflow) = proto.rowOffset.addingReportingOverflow(proto.rowCount)
        guard proto.rowOffset >= 0, proto.rowCount >= 0, !overflow, end <= Int64(max(rows, 1)) else {
            throw RuntimeFailure(.invalidArgument, "variable \(proto.name): \(proto.rowCount) rows from row \(proto.rowOffset) are outside its \(rows) rows")
        }
        self.init(variableID: proto.variableID, partition: proto.partition, variable: variable,
                  rowOffset: Int(proto.rowOffset), rowCount: Int(proto.rowCount), seed: proto.seed)
    }
}
