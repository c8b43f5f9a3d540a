import TensorWire

extension Dataset {
    /// A new dataset holding rows `indices` (in that order), copied.
    public func gather(_ indices: [Int]) throws -> Dataset {
        let w = width
        let f = Tensor(zeros: Shape([indices.count, w]))
        let l = Tensor(zeros: Shape([indices.count]))
        try gatherRows(indices[...], features: f, labels: l)
        return try Dataset(features: f, labels: l, featureNames: featureNames, classNames: classNames)
    }

    /// Copies rows `indices` into the first rows of `features` / `labels`.
    func gatherRows(_ indices: ArraySlice<Int>, features f: Tensor, labels l: Tensor) throws {
        let w = width
        let n = count
        let src = features.baseAddress
        let dst = f.baseAddress
        let srcLabels = labels.baseAddress
        let dstLabels = l.baseAddress
        for (k, i) in indices.enumerated() {
            guard i >= 0, i < n else { throw TrainingError(.shapeMismatch, "row \(i) out of range 0..<\(n)") }
            (dst + k * w).update(from: src + i * w, count: w)
            dstLabels[k] = srcLabels[i]
        }
    }

    /// Worker `index` of `workers`'s share: rows index, index + workers, index + 2·workers, …. A single worker's share
    /// is the dataset itself, not a copy (it shares storage, as every copy of a `Dataset` does).
    public func shard(_ index: Int, of workers: Int) throws -> Dataset {
        let rows = try DataShard(index: index, of: workers)
        if workers == 1 { return self }
        return try gather((0..<rows.rows(of: count)).map(rows.splitRow))
    }

    /// The first `n` rows (all when n ≥ count).
    public func prefix(_ n: Int) throws -> Dataset {
        try gather(Array(0..<min(max(n, 0), count)))
    }
}
