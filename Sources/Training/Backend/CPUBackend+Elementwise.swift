extension CPUBackend {
    /// Adds `bias` to every row of `x` in place.
    public func addBias(_ bias: Tensor, to x: Tensor) throws {
        let (rows, width) = matrixDims(x)
        try requireShape(bias.count == width, "addBias: bias \(bias.shape) for rows of width \(width)")
        let b = bias.baseAddress
        var row = x.baseAddress
        for _ in 0..<rows {
            VectorKernels.add(b, row, count: width)
            row += width
        }
    }

    /// out = beta · out + column sums of `x`.
    public func columnSums(_ x: Tensor, into out: Tensor, beta: Float) throws {
        let (rows, width) = matrixDims(x)
        try requireShape(out.count == width, "columnSums: out \(out.shape) for rows of width \(width)")
        let o = out.baseAddress
        VectorKernels.scale(o, count: width, by: beta)
        var row = x.baseAddress
        for _ in 0..<rows {
            VectorKernels.add(row, o, count: width)
            row += width
        }
    }

    /// y = f(x).
    public func activate(_ activation: ActivationFunction, _ x: Tensor, into y: Tensor) throws {
        try requireShape(x.count == y.count, "activate: \(x.shape) into \(y.shape)")
        let n = x.count
        switch activation {
        case .relu: VectorKernels.relu(x.baseAddress, y.baseAddress, count: n)
        case .sigmoid: VectorKernels.sigmoid(x.baseAddress, y.baseAddress, count: n)
        case .tanh: VectorKernels.tanh(x.baseAddress, y.baseAddress, count: n)
        case .linear: if x.baseAddress != y.baseAddress { y.baseAddress.update(from: x.baseAddress, count: n) }
        }
    }

    /// gradInput = gradOutput · f'(x) from the forward output y.
    public func activationBackward(_ activation: ActivationFunction, output y: Tensor, gradOutput: Tensor, into gradInput: Tensor) throws {
        try requireShape(y.count == gradOutput.count && y.count == gradInput.count,
                         "activationBackward: \(y.shape), \(gradOutput.shape), \(gradInput.shape)")
        let n = y.count
        switch activation {
        case .relu: VectorKernels.reluBackward(y.baseAddress, gradOutput.baseAddress, gradInput.baseAddress, count: n)
        case .sigmoid: VectorKernels.sigmoidBackward(y.baseAddress, gradOutput.baseAddress, gradInput.baseAddress, count: n)
        case .tanh: VectorKernels.tanhBackward(y.baseAddress, gradOutput.baseAddress, gradInput.baseAddress, count: n)
        case .linear:
            if gradOutput.baseAddress != gradInput.baseAddress {
                gradInput.baseAddress.update(from: gradOutput.baseAddress, count: n)
            }
        }
    }

    /// c = a ⊙ b.
    public func multiply(_ a: Tensor, _ b: Tensor, into c: Tensor) throws {
        try requireShape(a.count == b.count && a.count == c.count, "multiply: \(a.shape), \(b.shape), \(c.shape)")
        VectorKernels.multiply(a.baseAddress, b.baseAddress, c.baseAddress, count: a.count)
    }
}
