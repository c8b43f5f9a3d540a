#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension CPUBackend {
    /// Row-wise softmax (max-shifted for stability).
    public func softmax(_ logits: Tensor, into probabilities: Tensor) throws {
        let (n, c) = matrixDims(logits)
        try requireShape(probabilities.count == logits.count, "softmax: \(logits.shape) into \(probabilities.shape)")
        for r in 0..<n {
            let x = logits.baseAddress + r * c
            let p = probabilities.baseAddress + r * c
            var m = -Float.infinity
            for j in 0..<c where x[j] > m { m = x[j] }
            var sum: Float = 0
            for j in 0..<c {
                let e = expf(x[j] - m)
                p[j] = e
                sum += e
            }
            let inv = 1 / sum
            for j in 0..<c { p[j] *= inv }
        }
    }

    /// Fused softmax cross-entropy forward and backward.
    public func softmaxCrossEntropy(logits: Tensor, labels: Tensor, gradient: Tensor?) throws -> LossValue {
        let (n, c) = matrixDims(logits)
        try requireShape(labels.count == n, "softmaxCrossEntropy: \(n) rows, \(labels.count) labels")
        if let gradient { try requireShape(gradient.count == logits.count, "softmaxCrossEntropy: gradient \(gradient.shape)") }
        guard n > 0 else { return LossValue(loss: 0, correct: 0) }
        let scale = 1 / Float(n)
        var total: Double = 0
        var correct = 0
        for r in 0..<n {
            let x = logits.baseAddress + r * c
            let labelValue = labels.baseAddress[r]
            let label = Int(exactly: labelValue) ?? -1
            guard label >= 0, label < c else {
                throw TrainingError(.invalidData, "label \(labelValue) in row \(r) is not a class id in 0..<\(c)")
            }
            var m = -Float.infinity
            var best = 0
            for j in 0..<c where x[j] > m {
                m = x[j]
                best = j
            }
            if best == label { correct += 1 }
            var sum: Float = 0
            if let gradient {
                let g = gradient.baseAddress + r * c
                for j in 0..<c {
                    let e = expf(x[j] - m)
                    g[j] = e
                    sum += e
                }
                let inv = scale / sum
                for j in 0..<c { g[j] *= inv }
                g[label] -= scale
            } else {
                for j in 0..<c { sum += expf(x[j] - m) }
            }
            total += Double(logf(sum) - (x[label] - m))
        }
        return LossValue(loss: Float(total / Double(n)), correct: correct)
    }

    /// Fused, numerically stable sigmoid cross-entropy forward and backward.
    public func sigmoidCrossEntropy(logits: Tensor, labels: Tensor, gradient: Tensor?) throws -> LossValue {
        let n = logits.count
        try requireShape(labels.count == n, "sigmoidCrossEntropy: \(n) logits, \(labels.count) labels")
        if let gradient { try requireShape(gradient.count == n, "sigmoidCrossEntropy: gradient \(gradient.shape)") }
        guard n > 0 else { return LossValue(loss: 0, correct: 0) }
        let scale = 1 / Float(n)
        var total: Double = 0
        var correct = 0
        let x = logits.baseAddress
        let y = labels.baseAddress
        for i in 0..<n {
            let xi = x[i]
            let yi = y[i]
            // max(x, 0) − x·y + log(1 + e^−|x|)
            total += Double(max(xi, 0) - xi * yi + log1pf(expf(-abs(xi))))
            if (xi >= 0) == (yi >= 0.5) { correct += 1 }
            if let gradient {
                gradient.baseAddress[i] = (1 / (1 + expf(-xi)) - yi) * scale
            }
        }
        return LossValue(loss: Float(total / Double(n)), correct: correct)
    }

    /// Mean squared error forward and backward.
    public func meanSquaredError(predictions: Tensor, targets: Tensor, gradient: Tensor?) throws -> LossValue {
        let n = predictions.count
        try requireShape(targets.count == n, "meanSquaredError: \(n) predictions, \(targets.count) targets")
        if let gradient { try requireShape(gradient.count == n, "meanSquaredError: gradient \(gradient.shape)") }
        guard n > 0 else { return LossValue(loss: 0, correct: 0) }
        let scale = 2 / Float(n)
        var total: Double = 0
        let p = predictions.baseAddress
        let t = targets.baseAddress
        for i in 0..<n {
            let d = p[i] - t[i]
            total += Double(d * d)
            if let gradient { gradient.baseAddress[i] = d * scale }
        }
        return LossValue(loss: Float(total / Double(n)), correct: 0)
    }
}
