import Foundation
import JobSpec
import ParameterStore
import TensorWire
import Testing

struct OptimizerCase: Sendable, CustomTestStringConvertible {
    let name: String
    let config: OptimizerConfig
    var testDescription: String { name }
}

@Suite struct OptimizerTests {
    static let cases: [OptimizerCase] = [
        .init(name: "sgd", config: .sgd(0.1)),
        .init(name: "sgd exp decay", config: OptimizerConfig(kind: .sgd, learningRate: 0.2, schedule: .exponentialDecay(decaySteps: 2, decayRate: 0.5, staircase: false))),
        .init(name: "sgd staircase", config: OptimizerConfig(kind: .sgd, learningRate: 0.2, schedule: .exponentialDecay(decaySteps: 3, decayRate: 0.7, staircase: true))),
        .init(name: "sgd warm-up", config: OptimizerConfig(kind: .sgd, learningRate: 0.3, schedule: .linearWarmup(warmupSteps: 4))),
        .init(name: "momentum", config: OptimizerConfig(kind: .momentum, learningRate: 0.05)),
        .init(name: "nesterov", config: OptimizerConfig(kind: .momentum, learningRate: 0.05, momentum: 0.8, nesterov: true)),
        .init(name: "momentum decay", config: OptimizerConfig(kind: .momentum, learningRate: 0.1, schedule: .exponentialDecay(decaySteps: 1, decayRate: 0.9, staircase: false))),
        .init(name: "adagrad", config: OptimizerConfig(kind: .adagrad, learningRate: 0.1)),
        .init(name: "rmsprop", config: OptimizerConfig(kind: .rmsprop, learningRate: 0.01)),
        .init(name: "rmsprop momentum", config: OptimizerConfig(kind: .rmsprop, learningRate: 0.01, momentum: 0.5, rho: 0.8)),
        .init(name: "adam", config: OptimizerConfig(kind: .adam, learningRate: 0.01)),
        .init(name: "adam warm-up", config: OptimizerConfig(kind: .adam, learningRate: 0.02, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, schedule: .linearWarmup(warmupSteps: 3))),
        .init(name: "ftrl", config: OptimizerConfig(kind: .ftrl, learningRate: 0.5, l1: 0.001, l2: 0.1)),
        .init(name: "ftrl power", config: OptimizerConfig(kind: .ftrl, learningRate: 0.3, initialAccumulator: 0.2, l1: 0, l2: 0.05, lrPower: -0.6)),
        .init(name: "ftrl strong l1", config: OptimizerConfig(kind: .ftrl, learningRate: 0.5, l1: 5, l2: 0)),
    ]

    static func gradient(step: Int, worker: Int, count: Int) -> [Float] {
        (0..<count).map { Float(sin(Double($0 * 7 + step * 3 + worker * 11)) * 0.8) }
    }

    @Test(arguments: cases, [TrainingMode.async, .sync])
    func matchesTheReferenceOverSeveralSteps(_ c: OptimizerCase, _ mode: TrainingMode) throws {
        let count = 24, steps = 8, workers = mode == .sync ? 2 : 1
        let shard = ParameterShard()
        let part = wholePartition(0, "w", [4, 6], .uniform(low: -1, high: 1), seed: 3)
        try shard.createJob(jobID: 1, partitions: [part], optimizer: c.config, consistency: mode == .sync ? .sync(replicas: 2) : .async)
        var reference = ReferenceOptimizer(c.config, initial: try values(shard, key(0)))
        for t in 0..<steps {
            var average = [Double](repeating: 0, count: count)
            for w in 0..<workers {
                let g = Self.gradient(step: t, worker: w, count: count)
                for i in 0..<count { average[i] += Double(g[i]) / Double(workers) }
                try push(shard, worker: UInt32(w), version: UInt64(t), [(key(0), g)])
            }
            reference.step(average, t: t)
            let got = try values(shard, key(0))
            for i in 0..<count {
                #expect(close(got[i], reference.w[i]), "\(c.name) step \(t) element \(i): \(got[i]) vs \(reference.w[i])")
            }
        }
        #expect(try shard.version(jobID: 1) == UInt64(steps))
    }

    @Test func ftrlWithStrongL1KeepsWeightsAtZero() throws {
        let shard = ParameterShard()
        try shard.createJob(jobID: 1, partitions: [wholePartition(0, "w", [5], .constant(0.3))], optimizer: OptimizerConfig(kind: .ftrl, learningRate: 0.1, l1: 10), consistency: .async)
        try push(shard, worker: 0, version: 0, [(key(0), [0.1, -0.2, 0.3, -0.4, 0.5])])
        #expect(try values(shard, key(0)) == [0, 0, 0, 0, 0])
    }

    @Test func schedulesGiveTheDocumentedRates() {
        let decay = OptimizerConfig(kind: .sgd, learningRate: 1, schedule: .exponentialDecay(decaySteps: 10, decayRate: 0.5, staircase: false))
        #expect(decay.learningRate(atStep: 0) == 1)
        #expect(abs(decay.learningRate(atStep: 5) - Float(0.5.squareRoot())) < 1e-6)
        #expect(decay.learningRate(atStep: 20) == 0.25)
        let stairs = OptimizerConfig(kind: .sgd, learningRate: 1, schedule: .exponentialDecay(decaySteps: 10, decayRate: 0.5, staircase: true))
        #expect(stairs.learningRate(atStep: 9) == 1)
        #expect(stairs.learningRate(atStep: 10) == 0.5)
        let warm = OptimizerConfig(kind: .sgd, learningRate: 1, schedule: .linearWarmup(warmupSteps: 4))
        #expect([0, 1, 2, 3, 4, 100].map { warm.learningRate(atStep: $0) } == [0.25, 0.5, 0.75, 1, 1, 1])
    }

    @Test func slotsAreReadableAndLoadable() throws {
        let shard = ParameterShard()
        let adam = OptimizerConfig(kind: .adam, learningRate: 0.1)
        try shard.createJob(jobID: 1, partitions: [wholePartition(0, "w", [2])], optimizer: adam, consistency: .async)
        #expect(adam.slotNames == ["m", "v"])
        try push(shard, worker: 0, version: 0, [(key(0), [1, -2])])
        let m = try shard.readSlot(jobID: 1, keys: [key(0)], slot: "m") { _, b in Array(b[0]) }
        #expect(m.map { close($0, [0.1, -0.2][m.firstIndex(of: $0)!]) } == [true, true])
        let restored: [Float] = [5, 6]
        try restored.withUnsafeBufferPointer { b throws(StoreError) in try shard.loadSlot(jobID: 1, key: key(0), slot: "v", values: b) }
        #expect(try shard.readSlot(jobID: 1, keys: [key(0)], slot: "v") { _, b in Array(b[0]) } == restored)
        #expect(errorCode { _ = try shard.readSlot(jobID: 1, keys: [key(0)], slot: "velocity") { _, _ in 0 } } == .notFound)
    }

    @Test func defaultsFollowKeras() {
        #expect(OptimizerConfig(kind: .momentum, learningRate: 0.1).momentum == 0.9)
        #expect(OptimizerConfig(kind: .rmsprop, learningRate: 0.1).momentum == 0)
        #expect(OptimizerConfig(kind: .rmsprop, learningRate: 0.1).slotNames == ["rms"])
        let adam = OptimizerConfig(kind: .adam, learningRate: 0.1)
        #expect(adam.beta1 == 0.9 && adam.beta2 == 0.999 && adam.epsilon == 1e-7)
    }
}
