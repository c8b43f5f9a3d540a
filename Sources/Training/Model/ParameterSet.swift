import TensorWire

/// One f32 buffer per model variable, in the order of `Model.variables`.
///
/// Storage is shared by reference (like `Tensor`): the network layer decodes pulled values
/// straight into `withUnsafeMutableBuffer(at:)` and encodes gradients from `withUnsafeBuffer(at:)`.
public struct ParameterSet: Sendable {
    /// The variables, in order.
    public let specs: [VariableSpec]
    /// One tensor per variable, shaped like its spec.
    public let tensors: [Tensor]
    private let indexByName: [String: Int]

    /// Allocates zero-filled buffers for `variables`; throws on an invalid shape or a non-f32 dense variable.
    public init(variables: [VariableSpec]) throws {
        var tensors: [Tensor] = []
        var index: [String: Int] = [:]
        for (i, spec) in variables.enumerated() {
            guard spec.dtype == .f32 else {
                throw TrainingError(.unsupported, "variable \(spec.name): dtype \(spec.dtype.name) (only f32 is supported)")
            }
            guard spec.shape.checkedElementCount != nil else {
                throw TrainingError(.invalidConfiguration, "variable \(spec.name): invalid shape \(spec.shape)")
            }
            guard index[spec.name] == nil else {
                throw TrainingError(.invalidConfiguration, "variable \(spec.name) declared twice")
            }
            index[spec.name] = i
            tensors.append(Tensor(zeros: spec.shape))
        }
        self.specs = variables
        self.tensors = tensors
        self.indexByName = index
    }

    /// Buffers for a worker that moves embedding tables by row (`SparseModel`): dense variables get full zero-filled
    /// buffers, every `VariableKind.embedding` variable an empty `[0, rowWidth]` one, so memory does not grow with
    /// the tables' vocabularies. The compact step substitutes the rows it pulled (`CompactBatch.substitute`).
    public static func withoutEmbeddingRows(variables: [VariableSpec]) throws -> ParameterSet {
        try ParameterSet(variables: variables.map { spec in
            guard spec.kind == .embedding, spec.shape.rank >= 1 else { return spec }
            var empty = spec
            empty.shape = Shape([0] + spec.shape.dims.dropFirst())
            return empty
        })
    }

    /// Allocates buffers and fills each with its initializer, seeded by `seed` and the variable name.
    public init(variables: [VariableSpec], seed: UInt64) throws {
        try self.init(variables: variables)
        initialize(seed: seed)
    }

    /// Number of variables.
    public var count: Int { tensors.count }

    /// Total elements over all variables.
    public var elementCount: Int { tensors.reduce(0) { $0 + $1.count } }

    /// Position of the variable named `name`, if any.
    public func index(of name: String) -> Int? { indexByName[name] }

    /// The tensor of the variable named `name`, if any.
    public subscript(name: String) -> Tensor? { indexByName[name].map { tensors[$0] } }

    /// Refills every variable from its initializer; variable i uses seed `seed ^ stableHash(name)`.
    public func initialize(seed: UInt64) {
        for (spec, tensor) in zip(specs, tensors) {
            tensor.withUnsafeMutableBufferPointer { buffer in
                spec.initializer.fill(buffer, shape: spec.shape, seed: seed ^ stableHash(spec.name))
            }
        }
    }

    /// Sets every element of every variable to zero.
    public func zero() {
        for t in tensors { t.fill(0) }
    }

    /// Calls `body` with variable `index`'s elements for reading.
    public func withUnsafeBuffer<R, E: Error>(at index: Int, _ body: (UnsafeBufferPointer<Float>) throws(E) -> R) throws(E) -> R {
        try tensors[index].withUnsafeBufferPointer(body)
    }

    /// Calls `body` with variable `index`'s elements for writing (no copy: shared storage).
    public func withUnsafeMutableBuffer<R, E: Error>(at index: Int, _ body: (UnsafeMutableBufferPointer<Float>) throws(E) -> R) throws(E) -> R {
        try tensors[index].withUnsafeMutableBufferPointer(body)
    }

    /// Calls `body` with variable `index`'s bytes (little-endian f32) for writing, e.g. to decode a frame payload.
    public func withUnsafeMutableBytes<R, E: Error>(at index: Int, _ body: (UnsafeMutableRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try tensors[index].withUnsafeMutableBufferPointer { (b) throws(E) -> R in try body(UnsafeMutableRawBufferPointer(b)) }
    }

    /// Copies all values from `other` (same variables and shapes).
    public func copy(from other: ParameterSet) throws {
        guard other.count == count else {
            throw TrainingError(.shapeMismatch, "parameter sets hold \(other.count) and \(count) variables")
        }
        for (dst, src) in zip(tensors, other.tensors) { try dst.copy(from: src) }
    }

    /// The same variables with the tensors at some positions replaced, sharing storage (no copies): e.g. the compact
    /// `[k, width]` row tables of a sparse step (`CompactBatch`). The replacements' shapes are the caller's to check.
    public func replacing(_ replacements: [Int: Tensor]) -> ParameterSet {
        var replaced = tensors
        for (i, t) in replacements where replaced.indices.contains(i) { replaced[i] = t }
        return ParameterSet(specs: specs, tensors: replaced, indexByName: indexByName)
    }

    private init(specs: [VariableSpec], tensors: [Tensor], indexByName: [String: Int]) {
        self.specs = specs
        self.tensors = tensors
        self.indexByName = indexByName
    }

    /// A deep copy with its own storage.
    public func clone() throws -> ParameterSet {
        let copy = try ParameterSet(variables: specs)
        try copy.copy(from: self)
        return copy
    }
}
