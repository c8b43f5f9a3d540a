import Foundation
import ParameterStore

/// Plain scalar Double implementations of each published update rule, written independently of the shard's kernels.
struct ReferenceOptimizer {
    let c: OptimizerConfig
    var w: [Double]
    var s0: [Double]
    var s1: [Double]

    init(_ config: OptimizerConfig, initial: [Float]) {
        c = config
        w = initial.map(Double.init)
        let n = initial.count
        switch config.kind {
        case .adagrad, .ftrl: s0 = Array(repeating: Double(config.initialAccumulator), count: n)
        default: s0 = Array(repeating: 0, count: n)
        }
        s1 = Array(repeating: 0, count: n)
    }

    /// The learning rate at step t (0-based), from the schedule definitions.
    func lr(_ t: Int) -> Double {
        let base = Double(c.learningRate)
        switch c.schedule {
        case .constant:
            return base
        case .exponentialDecay(let steps, let rate, let staircase):
            let e = Double(t) / Double(steps)
            return base * pow(Double(rate), staircase ? floor(e) : e)
        case .linearWarmup(let steps):
            return base * min(1, Double(t + 1) / Double(steps))
        }
    }

    mutating func step(_ g: [Double], t: Int) {
        let lr = lr(t)
        let mu = Double(c.momentum), eps = Double(c.epsilon)
        for i in w.indices {
            let gi = g[i]
            switch c.kind {
            case .sgd:
                w[i] -= lr * gi
            case .momentum:
                // Keras SGD: velocity = momentum * velocity - lr * g; w += velocity (Nesterov: w += momentum * velocity - lr * g).
                s0[i] = mu * s0[i] - lr * gi
                w[i] += c.nesterov ? mu * s0[i] - lr * gi : s0[i]
            case .adagrad:
                // Duchi et al.; TF ApplyAdagradV2: accum += g^2; w -= lr * g / (sqrt(accum) + eps).
                s0[i] += gi * gi
                w[i] -= lr * gi / (s0[i].squareRoot() + eps)
            case .rmsprop:
                // Hinton's RMSProp as TF ApplyRMSProp: ms = rho ms + (1 - rho) g^2; mom = mu mom + lr g / sqrt(ms + eps); w -= mom.
                let rho = Double(c.rho)
                s0[i] = rho * s0[i] + (1 - rho) * gi * gi
                let step = lr * gi / (s0[i] + eps).squareRoot()
                if mu > 0 {
                    s1[i] = mu * s1[i] + step
                    w[i] -= s1[i]
                } else {
                    w[i] -= step
                }
            case .adam:
                // Kingma & Ba, Algorithm 1 with the epsilon-hat form (as TF/Keras): lr_t = lr sqrt(1 - b2^t) / (1 - b1^t).
                let b1 = Double(c.beta1), b2 = Double(c.beta2), tt = Double(t + 1)
                s0[i] = b1 * s0[i] + (1 - b1) * gi
                s1[i] = b2 * s1[i] + (1 - b2) * gi * gi
                let lrT = lr * (1 - pow(b2, tt)).squareRoot() / (1 - pow(b1, tt))
                w[i] -= lrT * s0[i] / (s1[i].squareRoot() + eps)
            case .ftrl:
                // McMahan et al. 2013, Algorithm 1 with beta = 0, per-coordinate power p (TF ApplyFtrl, 2 * l2).
                let p = -Double(c.lrPower), l1 = Double(c.l1), l2 = Double(c.l2)
                let n = s0[i], nNew = n + gi * gi
                let sigma = (pow(nNew, p) - pow(n, p)) / lr
                s1[i] += gi - sigma * w[i]
                let z = s1[i]
                w[i] = abs(z) <= l1 ? 0 : -(z - (z < 0 ? -1 : 1) * l1) / (pow(nNew, p) / lr + 2 * l2)
                s0[i] = nNew
            }
        }
    }
}
