import TensorWire

/// Max pooling over non-overlapping `size`² windows (stride = size, trailing rows/columns that do
/// not fill a window are dropped) of NHWC rows; remembers the argmax of each output for backward.
public final class MaxPool2D: Layer {
    /// The input image shape.
    public let input: ImageShape
    /// The output image shape (height and width divided by `size`, same channels).
    public let output: ImageShape
    /// Window size and stride.
    public let size: Int
    /// Pooling has no variables.
    public let variables: [VariableSpec] = []
    private let result: ScratchBuffer
    private let inputGradient: ScratchBuffer
    private var argmax: [Int32] = []
    private var lastRows = 0

    /// Creates a pool of `size`² windows over `input`.
    public init(input: ImageShape, size: Int) throws {
        guard size > 0, input.height >= size, input.width >= size else {
            throw TrainingError(.invalidConfiguration, "max-pool of \(size)×\(size) does not fit an input of \(input)")
        }
        self.input = input
        self.size = size
        self.output = ImageShape(height: input.height / size, width: input.width / size, channels: input.channels)
        self.result = ScratchBuffer(width: output.elementCount)
        self.inputGradient = ScratchBuffer(width: input.elementCount)
    }

    /// Features per input row.
    public var inputWidth: Int { input.elementCount }
    /// Features per output row.
    public var outputWidth: Int { output.elementCount }

    /// y = max over each window, per channel.
    public func forward(_ x: Tensor, parameters: ParameterSet, offset: Int, training: Bool, backend: any ComputeBackend) throws -> Tensor {
        try requireShape(x.columns == inputWidth, "max-pool: input \(x.shape), expected width \(inputWidth) (\(input))")
        let n = x.rows
        let y = result.view(rows: n)
        let total = n * output.elementCount
        if argmax.count < total { argmax = [Int32](repeating: 0, count: total) }
        let h = input.height, w = input.width, c = input.channels, s = size
        let oh = output.height, ow = output.width
        let src = x.baseAddress, dst = y.baseAddress
        argmax.withUnsafeMutableBufferPointer { idx in
            var o = 0
            for image in 0..<n {
                let base = image * h * w * c
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        for ch in 0..<c {
                            var best = -Float.infinity
                            var bestIndex = base + ((oy * s) * w + ox * s) * c + ch
                            for ky in 0..<s {
                                for kx in 0..<s {
                                    let i = base + ((oy * s + ky) * w + ox * s + kx) * c + ch
                                    let v = src[i]
                                    if v > best { best = v; bestIndex = i }
                                }
                            }
                            dst[o] = best
                            idx[o] = Int32(truncatingIfNeeded: bestIndex - image * h * w * c)
                            o += 1
                        }
                    }
                }
            }
        }
        lastRows = n
        return y
    }

    /// Routes each output gradient to the input element that won its window.
    public func backward(_ gradOutput: Tensor, parameters: ParameterSet, gradients: ParameterSet, offset: Int,
                         needsInputGradient: Bool, backend: any ComputeBackend) throws -> Tensor? {
        let n = gradOutput.rows
        guard n == lastRows else {
            throw TrainingError(.invalidConfiguration, "max-pool: backward of \(n) rows after a forward of \(lastRows)")
        }
        guard needsInputGradient else { return nil }
        let dx = inputGradient.view(rows: n)
        dx.fill(0)
        let per = output.elementCount, inPer = input.elementCount
        let g = gradOutput.baseAddress, d = dx.baseAddress
        argmax.withUnsafeBufferPointer { idx in
            for image in 0..<n {
                let row = d + image * inPer
                for j in 0..<per {
                    let o = image * per + j
                    row[Int(idx[o])] += g[o]
                }
            }
        }
        return dx
    }
}
