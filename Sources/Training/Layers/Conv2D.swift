import TensorWire

/// A 2-D convolution, stride 1, "same" zero padding, over NHWC rows (see `ImageShape`), computed
/// as im2col + one `gemm` for the whole batch. Variables: `conv_<i>/kernel` [kh, kw, in, out]
/// (Glorot uniform) and `conv_<i>/bias` [out] (zeros); output rows are NHWC with `out` channels.
public final class Conv2D: Layer {
    /// The input image shape.
    public let input: ImageShape
    /// The output image shape (same height and width, `filters` channels).
    public let output: ImageShape
    /// Square kernel size.
    public let kernelSize: Int
    /// The layer's variables: kernel then bias.
    public let variables: [VariableSpec]
    private let columns: ScratchBuffer
    private let result: ScratchBuffer
    private let columnGradient: ScratchBuffer
    private let inputGradient: ScratchBuffer
    private var lastRows = 0

    /// Creates `conv_<index>` with `filters` output channels and a `kernelSize`² window.
    public init(index: Int, input: ImageShape, filters: Int, kernelSize: Int) throws {
        guard input.height > 0, input.width > 0, input.channels > 0, filters > 0, kernelSize > 0 else {
            throw TrainingError(.invalidConfiguration, "conv_\(index): input \(input), \(filters) filters and kernel \(kernelSize) must all be positive")
        }
        self.input = input
        self.output = ImageShape(height: input.height, width: input.width, channels: filters)
        self.kernelSize = kernelSize
        self.variables = [
            VariableSpec(name: "conv_\(index)/kernel", shape: Shape([kernelSize, kernelSize, input.channels, filters]), initializer: .glorotUniform),
            VariableSpec(name: "conv_\(index)/bias", shape: Shape([filters]), initializer: .zeros),
        ]
        let patch = kernelSize * kernelSize * input.channels
        let pixels = input.height * input.width
        self.columns = ScratchBuffer(width: pixels * patch)
        self.result = ScratchBuffer(width: pixels * filters)
        self.columnGradient = ScratchBuffer(width: pixels * patch)
        self.inputGradient = ScratchBuffer(width: input.elementCount)
    }

    /// Features per input row.
    public var inputWidth: Int { input.elementCount }
    /// Features per output row.
    public var outputWidth: Int { output.elementCount }
    private var patch: Int { kernelSize * kernelSize * input.channels }
    private var pixels: Int { input.height * input.width }

    /// y = im2col(x) · kernel + bias.
    public func forward(_ x: Tensor, parameters: ParameterSet, offset: Int, training: Bool, backend: any ComputeBackend) throws -> Tensor {
        try requireShape(x.columns == inputWidth, "\(variables[0].name): input \(x.shape), expected width \(inputWidth) (\(input))")
        let n = x.rows
        let cols = try columns.view(rows: n).reshaped(Shape([n * pixels, patch]))
        im2col(x.baseAddress, cols.baseAddress, images: n)
        let y = result.view(rows: n)
        let yMatrix = try y.reshaped(Shape([n * pixels, output.channels]))
        let kernel = try parameters.tensors[offset].reshaped(Shape([patch, output.channels]))
        try backend.gemm(cols, transposeA: false, kernel, transposeB: false, into: yMatrix, alpha: 1, beta: 0)
        try backend.addBias(parameters.tensors[offset + 1], to: yMatrix)
        lastRows = n
        return y
    }

    /// d kernel = colsᵀ · dy, d bias = Σ dy over pixels, dx = col2im(dy · kernelᵀ).
    public func backward(_ gradOutput: Tensor, parameters: ParameterSet, gradients: ParameterSet, offset: Int,
                         needsInputGradient: Bool, backend: any ComputeBackend) throws -> Tensor? {
        let n = gradOutput.rows
        guard n == lastRows, n > 0 else {
            throw TrainingError(.invalidConfiguration, "\(variables[0].name): backward of \(n) rows after a forward of \(lastRows)")
        }
        let cols = try columns.view(rows: n).reshaped(Shape([n * pixels, patch]))
        let dy = try gradOutput.reshaped(Shape([n * pixels, output.channels]))
        let dKernel = try gradients.tensors[offset].reshaped(Shape([patch, output.channels]))
        try backend.gemm(cols, transposeA: true, dy, transposeB: false, into: dKernel, alpha: 1, beta: 0)
        try backend.columnSums(dy, into: gradients.tensors[offset + 1], beta: 0)
        guard needsInputGradient else { return nil }
        let dCols = try columnGradient.view(rows: n).reshaped(Shape([n * pixels, patch]))
        let kernel = try parameters.tensors[offset].reshaped(Shape([patch, output.channels]))
        try backend.gemm(dy, transposeA: false, kernel, transposeB: true, into: dCols, alpha: 1, beta: 0)
        let dx = inputGradient.view(rows: n)
        dx.fill(0)
        col2im(dCols.baseAddress, dx.baseAddress, images: n)
        return dx
    }

    /// Copies each output pixel's receptive field (ky, kx, c order; zeros outside the image) into a row of `cols`.
    private func im2col(_ x: UnsafePointer<Float>, _ cols: UnsafeMutablePointer<Float>, images: Int) {
        let h = input.height, w = input.width, c = input.channels, k = kernelSize, pad = (kernelSize - 1) / 2
        var out = cols
        for image in 0..<images {
            let src = x + image * h * w * c
            for oy in 0..<h {
                for ox in 0..<w {
                    for ky in 0..<k {
                        let iy = oy + ky - pad
                        if iy < 0 || iy >= h {
                            out.update(repeating: 0, count: k * c)
                            out += k * c
                            continue
                        }
                        for kx in 0..<k {
                            let ix = ox + kx - pad
                            if ix < 0 || ix >= w {
                                out.update(repeating: 0, count: c)
                            } else {
                                out.update(from: src + (iy * w + ix) * c, count: c)
                            }
                            out += c
                        }
                    }
                }
            }
        }
    }

    /// Adds every row of `cols` back onto the pixels it was gathered from (the adjoint of `im2col`).
    private func col2im(_ cols: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, images: Int) {
        let h = input.height, w = input.width, c = input.channels, k = kernelSize, pad = (kernelSize - 1) / 2
        var src = cols
        for image in 0..<images {
            let dst = dx + image * h * w * c
            for oy in 0..<h {
                for ox in 0..<w {
                    for ky in 0..<k {
                        let iy = oy + ky - pad
                        if iy < 0 || iy >= h {
                            src += k * c
                            continue
                        }
                        for kx in 0..<k {
                            let ix = ox + kx - pad
                            if ix >= 0 && ix < w {
                                let p = dst + (iy * w + ix) * c
                                for j in 0..<c { p[j] += src[j] }
                            }
                            src += c
                        }
                    }
                }
            }
        }
    }
}
