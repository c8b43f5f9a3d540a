import TensorWire

/// Generates linear-regression data y = x · w + b + noise, deterministically from a seed.
public enum SyntheticData {
    /// `config.samples` rows with features uniform in [x_min, x_max) and Gaussian noise of std `config.noise`;
    /// samples × (features + 1) × 4 bytes are reserved against `budget` first, and features are at most `DataLimits.maxFeatures`.
    public static func generate(_ config: SyntheticConfig, seed: UInt64, budget: DataBudget = DataBudget()) throws -> Dataset {
        let n = config.samples
        let w = config.weights.count
        guard n > 0, w > 0 else {
            throw TrainingError(.invalidConfiguration, "synthetic data needs samples > 0 and at least one weight")
        }
        guard w <= DataLimits.maxFeatures else {
            throw TrainingError(.invalidConfiguration, "data.weights: \(w) features, more than the \(DataLimits.maxFeatures) allowed")
        }
        try budget.reserve(n, bytesEach: 4 * (w + 1), for: "data.samples: \(n) synthetic rows × \(w) features × 4 bytes")
        let features = Tensor(zeros: Shape([n, w]))
        let labels = Tensor(zeros: Shape([n]))
        var rng = SeededGenerator(seed: seed, stream: 0x5359_4E54) // "SYNT"
        let x = features.baseAddress
        let y = labels.baseAddress
        let span = config.xMax - config.xMin
        for r in 0..<n {
            var value = config.bias
            for j in 0..<w {
                let v = config.xMin + span * rng.nextUnitFloat()
                x[r * w + j] = v
                value += v * config.weights[j]
            }
            y[r] = value + config.noise * rng.nextNormal()
        }
        return try Dataset(features: features, labels: labels, featureNames: (0..<w).map { "x\($0)" })
    }
}
