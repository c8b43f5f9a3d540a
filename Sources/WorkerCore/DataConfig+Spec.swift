import DataPlane
import JobSpec
import Training

/// How a job spec's data section becomes the worker's `DataConfig` (the same `DataFormat` and `Normalization`).
extension DataConfig {
    /// The data a worker loads for `spec`: paths, split, scaling, batching, synthetic parameters and, for wide & deep
    /// on CSV, the column layout.
    package init(spec: JobSpec) throws {
        let d = spec.data
        self.init(
            format: d.format, train: d.train, trainLabels: d.trainLabels, test: d.test, testLabels: d.testLabels, label: d.label,
            testFraction: d.testFraction, normalize: d.normalize,
            batchSize: d.batchSize, seed: spec.training.seed, tabular: try Self.tabularColumns(spec), featureCount: d.features)
        if d.format == .synthetic {
            var synthetic = SyntheticConfig()
            if let w = d.weights { synthetic.weights = w }
            if let b = d.bias { synthetic.bias = Float(b) }
            if let n = d.samples { synthetic.samples = n }
            if let n = d.noise { synthetic.noise = Float(n) }
            if let x = d.xMin { synthetic.xMin = Float(x) }
            if let x = d.xMax { synthetic.xMax = Float(x) }
            self.synthetic = synthetic
        }
    }

    /// The categorical/numeric/wide columns of a wide & deep job on CSV data.
    private static func tabularColumns(_ spec: JobSpec) throws -> TabularColumns? {
        guard spec.model.type == .wideDeep, spec.data.format == .csv else { return nil }
        let wd = spec.model.wideDeep ?? WideDeepSpec()
        guard !wd.categorical.isEmpty || !wd.numeric.isEmpty else {
            throw RuntimeFailure(.invalidArgument, "model.wide_deep needs the CSV's categorical and/or numeric columns by name")
        }
        let buckets = wd.vocabularyHint > 1 ? wd.vocabularyHint : 1000
        return TabularColumns(categorical: wd.categorical, numeric: wd.numeric, wide: wd.wide.isEmpty ? wd.categorical : wd.wide,
                              buckets: buckets, wideBuckets: buckets, embeddingDim: wd.embeddingDim)
    }
}
