import TensorWire

extension JobSpec {
    /// Holds the model the spec determines (`modelEstimate`) to the per-layer, total-parameter and per-step
    /// activation bounds; errors name the key that makes it large. A registered model type is checked when its
    /// chief declares the variables (`Placement.plan`).
    func checkModelSize() throws(SpecError) {
        typealias L = JobSpecLimits
        guard let estimate = modelEstimate else { return }
        for v in estimate.variables where v.spec.kind == .dense && v.elements > L.layerParameters.upper {
            throw .spec(
                v.key,
                "\(v.spec.name) would hold \(Self.product(v.spec)) = \(v.elements) parameters; must be ≤ \(L.layerParameters.upper) (\(L.layerParameters.name))")
        }
        let total = estimate.parameters
        if total > L.parameters.upper {
            let largest = estimate.variables.max { $0.elements < $1.elements }
            throw .spec(
                largest?.key ?? "model",
                "the model would hold \(total) parameters (\(largest.map { "\($0.spec.name) \(Self.product($0.spec))" } ?? "")); must be ≤ \(L.parameters.upper) (\(L.parameters.name))")
        }
        let perStep = Saturating.multiply(data.batchSize, estimate.activationsPerExample)
        if perStep > L.stepActivations.upper {
            throw .spec(
                "data.batch_size",
                "\(data.batchSize) examples × \(estimate.activationsPerExample) activations per example (mostly from \(estimate.activationsKey)) = \(perStep) values per step; must be ≤ \(L.stepActivations.upper) (\(L.stepActivations.name))")
        }
    }

    /// "784 × 256".
    private static func product(_ v: VariableSpec) -> String { v.shape.dims.map(String.init).joined(separator: " × ") }
}
