#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The apply loops of every optimizer, on raw pointers so that dense partitions and (later) single
/// embedding rows use the same code. Each gradient element is `grad[i] * scale` (scale = 1/N for a
/// sync average, 1 for async), so averaging costs no extra pass. No allocation per apply.
///
/// Square roots take `abs(x)` of values that are never negative: on Linux `squareRoot()` keeps a
/// libm `sqrtf` fallback for negative input (errno), which blocks vectorisation; with the argument
/// provably non-negative LLVM emits `sqrtps`. Measured with -O on 8M elements (2-core dev machine):
/// adam 3.5 → 1.1 ns/element, ftrl 6.9 → 1.5; sgd 0.5, momentum 0.7, adagrad 0.8, rmsprop 1.1.
struct OptimizerKernel: Sendable {
    let config: OptimizerConfig

    /// Applies one update to `count` elements at `values`, with `slot0`/`slot1` as in `config.slotNames`.
    /// `step` is the job's version before the update (schedule step; Adam uses t = step + 1).
    func apply(
        values w: UnsafeMutablePointer<Float>, slot0: UnsafeMutablePointer<Float>?, slot1: UnsafeMutablePointer<Float>?,
        grad g: UnsafePointer<Float>, count n: Int, scale: Float, step: UInt64
    ) {
        let lr = config.learningRate(atStep: step)
        switch config.kind {
        case .sgd:
            let a = lr * scale
            for i in 0..<n { w[i] -= a * g[i] }
        case .momentum:
            guard let v = slot0 else { return }
            let mu = config.momentum
            if config.nesterov {
                for i in 0..<n {
                    let gi = g[i] * scale
                    let vi = mu * v[i] - lr * gi
                    v[i] = vi
                    w[i] += mu * vi - lr * gi
                }
            } else {
                for i in 0..<n {
                    let vi = mu * v[i] - lr * (g[i] * scale)
                    v[i] = vi
                    w[i] += vi
                }
            }
        case .adagrad:
            guard let acc = slot0 else { return }
            let eps = config.epsilon
            for i in 0..<n {
                let gi = g[i] * scale
                let a = acc[i] + gi * gi
                acc[i] = a
                w[i] -= lr * gi / (abs(a).squareRoot() + eps)
            }
        case .rmsprop:
            guard let ms = slot0 else { return }
            let rho = config.rho, oneMinusRho = 1 - config.rho, eps = config.epsilon, mu = config.momentum
            if let mom = slot1, mu > 0 {
                for i in 0..<n {
                    let gi = g[i] * scale
                    let m = rho * ms[i] + oneMinusRho * gi * gi
                    ms[i] = m
                    let mo = mu * mom[i] + lr * gi / abs(m + eps).squareRoot()
                    mom[i] = mo
                    w[i] -= mo
                }
            } else {
                for i in 0..<n {
                    let gi = g[i] * scale
                    let m = rho * ms[i] + oneMinusRho * gi * gi
                    ms[i] = m
                    w[i] -= lr * gi / abs(m + eps).squareRoot()
                }
            }
        case .adam:
            guard let m = slot0, let v = slot1 else { return }
            let b1 = Double(config.beta1), b2 = Double(config.beta2)
            let t = Double(step) + 1
            let lrT = Float(Double(lr) * (1 - pow(b2, t)).squareRoot() / (1 - pow(b1, t)))
            let fb1 = config.beta1, fb2 = config.beta2, c1 = 1 - config.beta1, c2 = 1 - config.beta2
            let eps = config.epsilon
            for i in 0..<n {
                let gi = g[i] * scale
                let mi = fb1 * m[i] + c1 * gi
                let vi = fb2 * v[i] + c2 * gi * gi
                m[i] = mi
                v[i] = vi
                w[i] -= lrT * mi / (abs(vi).squareRoot() + eps)
            }
        case .ftrl:
            guard let acc = slot0, let lin = slot1 else { return }
            let l1 = config.l1, twoL2 = 2 * config.l2, invLR = 1 / lr
            if config.lrPower == -0.5 {
                for i in 0..<n {
                    let gi = g[i] * scale
                    let a = acc[i]
                    let na = a + gi * gi
                    let sqrtNA = abs(na).squareRoot()
                    let li = lin[i] + gi - (sqrtNA - abs(a).squareRoot()) * invLR * w[i]
                    lin[i] = li
                    let quadratic = sqrtNA * invLR + twoL2
                    let x = (li > 0 ? l1 : -l1) - li
                    w[i] = abs(li) > l1 ? x / quadratic : 0
                    acc[i] = na
                }
            } else {
                let p = -config.lrPower
                for i in 0..<n {
                    let gi = g[i] * scale
                    let a = acc[i]
                    let na = a + gi * gi
                    let powNA = powf(na, p)
                    let li = lin[i] + gi - (powNA - powf(a, p)) * invLR * w[i]
                    lin[i] = li
                    let quadratic = powNA * invLR + twoL2
                    let x = (li > 0 ? l1 : -l1) - li
                    w[i] = abs(li) > l1 ? x / quadratic : 0
                    acc[i] = na
                }
            }
        }
    }
}
