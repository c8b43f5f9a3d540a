import TensorWire

/// Marks the switch from images to feature vectors. Rows are already flat NHWC floats, so this
/// is the identity (no copy); it exists so model layouts read like their Keras/TF counterparts.
public final class Flatten: Layer {
    /// Features per row (in and out).
    public let inputWidth: Int
    /// Kernels only.
    public var runsOnBackend: Bool { true }
    /// Features per row (same as `inputWidth`).
    public var outputWidth: Int { inputWidth }
    /// No variables.
    public let variables: [VariableSpec] = []

    /// Creates a flatten of `image` rows.
    public init(_ image: ImageShape) { self.inputWidth = image.elementCount }

    /// Returns the input.
    public func forward(_ input: Tensor, parameters: ParameterSet, offset: Int, training: Bool, backend: any ComputeBackend) throws -> Tensor {
        try requireShape(input.columns == inputWidth, "flatten: input \(input.shape), expected width \(inputWidth)")
        return input
    }

    /// Returns the output gradient.
    public func backward(_ gradOutput: Tensor, parameters: ParameterSet, gradients: ParameterSet, offset: Int,
                         needsInputGradient: Bool, backend: any ComputeBackend) throws -> Tensor? {
        needsInputGradient ? gradOutput : nil
    }
}
