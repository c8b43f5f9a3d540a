import Foundation

/// What the simulated step times alone allow (no compute, no network): an event simulation of N + b workers
/// drawing from the same `--step-delay` distribution, for comparison with the measured steps/s. Sync: a version
/// closes at the N-th gradient tagged with it; a worker that finished its push waits for the next version; a
/// late (stale) worker starts again at once on the current one. Async: every worker steps back to back.
enum ScaleWorkersModel {
    /// The distribution of a `--step-delay` value this model understands: `constant:MS`, `normal:MEAN,SD`,
    /// `lognormal:MEDIAN,SIGMA`; nil for other forms (empirical files are not read here).
    static func sampler(_ delay: String) -> ((inout SystemRandomNumberGenerator) -> Double)? {
        let parts = delay.split(separator: ":", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        let numbers = parts[1].split(separator: ",").compactMap { Double($0) }
        func gaussian(_ g: inout SystemRandomNumberGenerator) -> Double {
            let u1 = Double.random(in: Double.ulpOfOne..<1, using: &g), u2 = Double.random(in: 0..<1, using: &g)
            return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
        }
        switch (parts[0], numbers.count) {
        case ("constant", 1): return { _ in numbers[0] }
        case ("normal", 2): return { g in max(0, numbers[0] + numbers[1] * gaussian(&g)) }
        case ("lognormal", 2): return { g in numbers[0] * exp(numbers[1] * gaussian(&g)) }
        default: return nil
        }
    }

    /// Applied steps per second the delays alone allow: sync with `aggregate` of `workers`, or async (`aggregate`
    /// nil) with `workers`; simulated over `steps` versions. Nil when the delay form is not understood.
    static func stepsPerSecond(delay: String, workers: Int, aggregate: Int?, steps: Int = 2_000) -> Double? {
        guard let draw = sampler(delay), workers > 0 else { return nil }
        var g = SystemRandomNumberGenerator()
        guard let aggregate else {
            // Async: each worker's pushes arrive every mean delay.
            var total = 0.0
            for _ in 0..<steps { total += draw(&g) }
            let mean = total / Double(steps)
            return mean > 0 ? Double(workers) / (mean / 1000) : nil
        }
        let needed = max(1, min(aggregate, workers))
        // finish[j]: when worker j's current gradient arrives; tag[j]: the version it was computed on (-1: waiting).
        var finish = (0..<workers).map { _ in draw(&g) }
        var tag = Array(repeating: 0, count: workers)
        var version = 0, arrived = 0
        var now = 0.0
        var waiting: [Int] = []
        while version < steps {
            guard let j = (0..<workers).filter({ tag[$0] >= 0 }).min(by: { finish[$0] < finish[$1] }) else { return nil }
            now = finish[j]
            if tag[j] == version {
                arrived += 1
                tag[j] = -1
                waiting.append(j)
                if arrived == needed {
                    version += 1
                    arrived = 0
                    for w in waiting {
                        tag[w] = version
                        finish[w] = now + draw(&g)
                    }
                    waiting.removeAll()
                }
            } else {
                // Stale: dropped; it pulls the current version at once.
                tag[j] = version
                finish[j] = now + draw(&g)
            }
        }
        return now > 0 ? Double(steps) / (now / 1000) : nil
    }
}
