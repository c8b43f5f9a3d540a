/// Per-column z-score statistics: x' = (x − mean) / std (std 0 is treated as 1).
public struct Standardization: Sendable, Hashable, Codable {
    /// Column means.
    public var mean: [Float]
    /// Column standard deviations (population), never 0.
    public var std: [Float]

    /// Statistics given column by column (every std must be positive).
    public init(mean: [Float], std: [Float]) {
        self.mean = mean
        self.std = std
    }

    /// Computes the statistics of every column of `dataset` (double-precision accumulation).
    public init(fitting dataset: Dataset) {
        let n = dataset.count
        let w = dataset.width
        var sum = [Double](repeating: 0, count: w)
        var sumSq = [Double](repeating: 0, count: w)
        let base = dataset.features.baseAddress
        sum.withUnsafeMutableBufferPointer { s in
            sumSq.withUnsafeMutableBufferPointer { q in
                for r in 0..<n {
                    let row = base + r * w
                    for j in 0..<w {
                        let v = Double(row[j])
                        s[j] += v
                        q[j] += v * v
                    }
                }
            }
        }
        let count = Double(max(n, 1))
        mean = sum.map { Float($0 / count) }
        std = zip(sum, sumSq).map { s, q in
            let m = s / count
            let v = max(q / count - m * m, 0)
            let sd = Float(v.squareRoot())
            return sd > 1e-12 ? sd : 1
        }
    }

    /// Rescales `dataset`'s features in place (its storage is shared with every copy of it).
    public func apply(to dataset: Dataset) throws {
        let w = dataset.width
        guard w == mean.count else {
            throw TrainingError(.shapeMismatch, "standardization of \(mean.count) columns applied to \(w)")
        }
        let inv = std.map { 1 / $0 }
        let base = dataset.features.baseAddress
        mean.withUnsafeBufferPointer { m in
            inv.withUnsafeBufferPointer { s in
                for r in 0..<dataset.count {
                    let row = base + r * w
                    for j in 0..<w { row[j] = (row[j] - m[j]) * s[j] }
                }
            }
        }
    }
}
