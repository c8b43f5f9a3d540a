#if canImport(Glibc)
import Glibc
#endif
import TensorWire
import Testing
@testable import Training

@Suite struct MetricsTests {
    /// P(score of a positive > score of a negative) + ½ P(tie), by brute force.
    func pairwiseAUC(_ s: [Float], _ y: [Float]) -> Double {
        var wins = 0.0, pairs = 0.0
        for i in s.indices where y[i] == 1 {
            for j in s.indices where y[j] == 0 {
                pairs += 1
                wins += s[i] > s[j] ? 1 : (s[i] == s[j] ? 0.5 : 0)
            }
        }
        return wins / pairs
    }

    @Test func aucMatchesPairwiseDefinitionWithTies() {
        var rng = SeededGenerator(seed: 12)
        for _ in 0..<20 {
            let n = 40
            // Few distinct scores so ties are frequent.
            let s = (0..<n).map { _ in Float(Int(rng.nextUnitFloat() * 5)) / 5 }
            var y = (0..<n).map { _ in rng.nextUnitFloat() < 0.4 ? Float(1) : 0 }
            y[0] = 1
            y[1] = 0
            let auc = ROCAUC.compute(scores: s, labels: y)
            #expect(abs((auc ?? -1) - pairwiseAUC(s, y)) < 1e-12)
        }
        #expect(ROCAUC.compute(scores: [0.1, 0.9], labels: [0, 1]) == 1)
        #expect(ROCAUC.compute(scores: [0.5, 0.5], labels: [0, 1]) == 0.5)
        #expect(ROCAUC.compute(scores: [0.1, 0.9], labels: [1, 1]) == nil)
    }

    @Test func evaluatorOnKnownPredictions() throws {
        // Logistic regression with zero parameters predicts 0.5 everywhere.
        let model = try ModelFactory.make(ModelConfig(type: .logistic, inputWidth: 2))
        let params = try ParameterSet(variables: model.variables)
        let d = try Dataset(features: Tensor(zeros: 5, 2), labels: Tensor(shape: Shape([5]), values: [1, 0, 1, 1, 0]), featureNames: ["a", "b"])
        let r = try Evaluator(batchSize: 2).evaluate(model: model, parameters: params, dataset: d, backend: CPUBackend())
        #expect(r.count == 5)
        #expect(abs(r.loss - logf(2)) < 1e-5)
        #expect(r.accuracy == 0.6) // p = 0.5 counts as class 1
        #expect(r.auc == 0.5)
    }

    @Test func evaluatorMulticlassAndRegression() throws {
        let softmax = try ModelFactory.make(ModelConfig(type: .softmax, inputWidth: 1, classes: 3))
        let p = try ParameterSet(variables: softmax.variables)
        // bias favours class 2
        p.withUnsafeMutableBuffer(at: 1) { $0[2] = 5 }
        let d = try Dataset(features: Tensor(zeros: 4, 1), labels: Tensor(shape: Shape([4]), values: [2, 2, 0, 1]), featureNames: ["x"])
        let r = try Evaluator(batchSize: 3).evaluate(model: softmax, parameters: p, dataset: d, backend: CPUBackend())
        #expect(r.accuracy == 0.5 && r.auc == nil)
        let linear = try ModelFactory.make(ModelConfig(type: .linear, inputWidth: 1))
        let lp = try ParameterSet(variables: linear.variables)
        lp.withUnsafeMutableBuffer(at: 1) { $0[0] = 1 }
        let rr = try Evaluator().evaluate(model: linear, parameters: lp, dataset: d, backend: CPUBackend())
        #expect(abs(rr.loss - (1 + 1 + 1 + 0) / 4) < 1e-6)
    }
}
