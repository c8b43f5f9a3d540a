extension Initializer {
    /// Fills `buffer` (the elements of a variable of `shape`, or a row range of it) deterministically from `seed`.
    ///
    /// Fan-in is `shape.dims` without the last one multiplied together and fan-out the last one,
    /// the convention of `[in, out]` dense kernels and `[kh, kw, in, out]` conv kernels.
    public func fill(_ buffer: UnsafeMutableBufferPointer<Float>, shape: Shape, seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        let fanOut = Float(max(shape.dims.last ?? 1, 1))
        let fanIn = Float(max(shape.dims.dropLast().reduce(1, *), 1))
        switch self {
        case .zeros:
            buffer.update(repeating: 0)
        case .constant(let v):
            buffer.update(repeating: v)
        case .uniform(let lo, let hi):
            for i in buffer.indices { buffer[i] = lo + (hi - lo) * rng.nextUnitFloat() }
        case .truncatedNormal(let mean, let std):
            for i in buffer.indices { buffer[i] = mean + std * Self.truncated(&rng) }
        case .glorotUniform:
            let limit = (6 / (fanIn + fanOut)).squareRoot()
            for i in buffer.indices { buffer[i] = -limit + 2 * limit * rng.nextUnitFloat() }
        case .heNormal:
            let std = (2 / fanIn).squareRoot()
            for i in buffer.indices { buffer[i] = std * Self.truncated(&rng) }
        }
    }

    private static func truncated(_ rng: inout SeededGenerator) -> Float {
        while true {
            let z = rng.nextNormal()
            if abs(z) <= 2 { return z }
        }
    }
}
