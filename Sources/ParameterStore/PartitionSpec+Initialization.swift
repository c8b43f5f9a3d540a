import TensorWire

extension PartitionSpec {
    /// The seed of row `row` of the full variable: rows are filled independently so any slice can be produced alone.
    public static func rowSeed(variableSeed: UInt64, row: Int) -> UInt64 {
        var generator = SeededGenerator(seed: variableSeed, stream: UInt64(truncatingIfNeeded: row))
        return generator.next()
    }

    /// Writes this partition's initial values into `buffer` (`elementCount` elements).
    ///
    /// The initial value of a whole variable is defined row by row along dim 0: row `r` is
    /// `variable.initializer.fill(row, shape: variable.shape, seed: rowSeed(variableSeed: seed, row: r))`
    /// (fan-in and fan-out come from the full shape; a rank-0 variable is one row, a rank-1 variable
    /// has one-element rows). A partition fills rows `rowOffset ..< rowOffset + rowCount` the same way,
    /// so the partitions of a variable put together equal the whole variable exactly.
    public func fillInitialValues(_ buffer: UnsafeMutableBufferPointer<Float>) {
        let width = rowWidth
        let count = min(buffer.count, elementCount)
        switch variable.initializer {
        case .zeros, .constant:
            // Deterministic without randomness: one call for the whole slice.
            variable.initializer.fill(UnsafeMutableBufferPointer(rebasing: buffer[0..<count]), shape: variable.shape, seed: seed)
        default:
            guard width > 0 else { return }
            var row = 0
            while (row + 1) * width <= count {
                let slice = UnsafeMutableBufferPointer(rebasing: buffer[(row * width)..<((row + 1) * width)])
                variable.initializer.fill(slice, shape: variable.shape, seed: Self.rowSeed(variableSeed: seed, row: rowOffset + row))
                row += 1
            }
        }
    }
}
