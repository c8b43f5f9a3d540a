import ClusterRuntime

/// A variable's name and shape, as `export --json` lists them.
public struct VariableShape: Codable, Equatable, Sendable {
    /// Documented name, e.g. `dense_0/kernel`.
    public var name: String
    /// Full shape.
    public var shape: [Int]

    /// The name and shape of a variable read from the shards.
    public init(_ variable: VariableReader.Variable) {
        name = variable.name
        shape = variable.shape.dims
    }
}

/// A variable with its values, as `pull --json` prints them.
public struct VariableValues: Codable, Equatable, Sendable {
    /// Documented name, e.g. `dense_0/kernel`.
    public var name: String
    /// Full shape.
    public var shape: [Int]
    /// Row-major values (NaN and infinities as null).
    @FiniteFloats public var values: [Float]

    /// A variable read from the shards.
    public init(_ variable: VariableReader.Variable) {
        name = variable.name
        shape = variable.shape.dims
        values = variable.values
    }
}

/// What `export --json` prints: the file written, the job and its variables.
public struct ExportSummary: Codable, Equatable, Sendable {
    /// The safetensors file.
    public var file: String
    /// The job's id.
    public var job: String
    /// The variables written.
    public var variables: [VariableShape]

    /// The summary of an export of `job` to `file`.
    public init(file: String, job: String, variables: [VariableReader.Variable]) {
        self.file = file
        self.job = job
        self.variables = variables.map(VariableShape.init)
    }
}
