import Foundation
import TensorWire
import Testing
@testable import Training

@Suite struct CPUBackendTests {
    let backend = CPUBackend(threads: 1)

    /// Naive reference for c = alpha · op(a) · op(b) + beta · c.
    func reference(_ a: [Float], _ ad: (Int, Int), ta: Bool, _ b: [Float], _ bd: (Int, Int), tb: Bool,
                   c: [Float], alpha: Float, beta: Float) -> [Float] {
        let m = ta ? ad.1 : ad.0, k = ta ? ad.0 : ad.1, n = tb ? bd.0 : bd.1
        var out = c
        for i in 0..<m {
            for j in 0..<n {
                var s: Float = 0
                for p in 0..<k {
                    let av = ta ? a[p * ad.1 + i] : a[i * ad.1 + p]
                    let bv = tb ? b[j * bd.1 + p] : b[p * bd.1 + j]
                    s += av * bv
                }
                out[i * n + j] = alpha * s + beta * c[i * n + j]
            }
        }
        return out
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func gemmMatchesReference(ta: Bool, tb: Bool) throws {
        let (m, k, n) = (5, 7, 3)
        let a = TestSupport.random(ta ? [k, m] : [m, k], seed: 1)
        let b = TestSupport.random(tb ? [n, k] : [k, n], seed: 2)
        let c = TestSupport.random([m, n], seed: 3)
        let expected = reference(a.toArray(), (a.rows, a.columns), ta: ta, b.toArray(), (b.rows, b.columns), tb: tb,
                                 c: c.toArray(), alpha: 0.5, beta: 2)
        try backend.gemm(a, transposeA: ta, b, transposeB: tb, into: c, alpha: 0.5, beta: 2)
        for (x, y) in zip(c.toArray(), expected) { #expect(abs(x - y) < 1e-4) }
    }

    @Test func gemmRejectsMismatchedShapes() {
        #expect(throws: TrainingError.self) {
            try backend.gemm(Tensor(zeros: 2, 3), transposeA: false, Tensor(zeros: 2, 3), transposeB: false,
                             into: Tensor(zeros: 2, 3), alpha: 1, beta: 0)
        }
    }

    @Test func biasAndColumnSums() throws {
        let x = try Tensor(shape: Shape([2, 9]), values: (0..<18).map(Float.init))
        let bias = try Tensor(shape: Shape([9]), values: (0..<9).map { Float($0) * 10 })
        try backend.addBias(bias, to: x)
        let expectedRow: [Float] = (0..<9).map { (j: Int) -> Float in Float(9 + j) + Float(j) * 10 }
        let row1 = Array(x.toArray()[9...])
        #expect(row1 == expectedRow)
        let sums = Tensor(zeros: 9)
        sums.fill(1)
        try backend.columnSums(x, into: sums, beta: 1)
        let xs = x.toArray()
        let expectedSums: [Float] = (0..<9).map { (j: Int) -> Float in 1 + xs[j] + xs[9 + j] }
        #expect(sums.toArray() == expectedSums)
    }

    @Test func activationsMatchScalarDefinitions() throws {
        let x = TestSupport.random([3, 11], seed: 4, lo: -4, hi: 4)
        let y = Tensor(zeros: 3, 11)
        let xs = x.toArray()
        try backend.activate(.relu, x, into: y)
        #expect(y.toArray() == xs.map { max($0, 0) })
        try backend.activate(.sigmoid, x, into: y)
        for (a, v) in zip(y.toArray(), xs) { #expect(abs(a - 1 / (1 + exp(-v))) < 1e-6) }
        try backend.activate(.tanh, x, into: y)
        for (a, v) in zip(y.toArray(), xs) { #expect(abs(a - tanh(v)) < 1e-6) }
    }

    @Test func softmaxCrossEntropyKnownValue() throws {
        let logits = try Tensor(shape: Shape([2, 3]), values: [1, 2, 3, 0, 0, 0])
        let labels = try Tensor(shape: Shape([2]), values: [2, 0])
        let v = try backend.softmaxCrossEntropy(logits: logits, labels: labels, gradient: nil)
        let l0 = log(exp(1.0) + exp(2.0) + exp(3.0)) - 3
        let l1 = log(3.0)
        #expect(abs(Double(v.loss) - (l0 + l1) / 2) < 1e-5)
        #expect(v.correct == 2) // row 1 ties: argmax takes the first class
        let p = Tensor(zeros: 2, 3)
        try backend.softmax(logits, into: p)
        #expect(abs(p.toArray()[3] - 1.0 / 3) < 1e-6)
    }

    @Test func softmaxCrossEntropyRejectsBadLabels() throws {
        let logits = Tensor(zeros: 1, 3)
        #expect(throws: TrainingError.self) {
            try backend.softmaxCrossEntropy(logits: logits, labels: Tensor(shape: Shape([1]), values: [3]), gradient: nil)
        }
        #expect(throws: TrainingError.self) {
            try backend.softmaxCrossEntropy(logits: logits, labels: Tensor(shape: Shape([1]), values: [0.5]), gradient: nil)
        }
    }

    @Test func sigmoidCrossEntropyIsStableForLargeLogits() throws {
        let logits = try Tensor(shape: Shape([4, 1]), values: [100, -100, 100, -100])
        let labels = try Tensor(shape: Shape([4]), values: [1, 0, 0, 1])
        let g = Tensor(zeros: 4, 1)
        let v = try backend.sigmoidCrossEntropy(logits: logits, labels: labels, gradient: g)
        #expect(v.loss.isFinite)
        #expect(abs(v.loss - 50) < 1e-3)  // two rows cost 0, two cost 100
        #expect(v.correct == 2)
        #expect(g.toArray().allSatisfy { $0.isFinite })
    }

    @Test func meanSquaredError() throws {
        let p = try Tensor(shape: Shape([2, 1]), values: [1, 3])
        let t = try Tensor(shape: Shape([2]), values: [0, 1])
        let g = Tensor(zeros: 2, 1)
        let v = try backend.meanSquaredError(predictions: p, targets: t, gradient: g)
        #expect(v.loss == 2.5)
        #expect(g.toArray() == [1, 2])
    }

    @Test func axpy() throws {
        let x = try Tensor(shape: Shape([3]), values: [1, 2, 3])
        let y = try Tensor(shape: Shape([3]), values: [1, 1, 1])
        try backend.axpy(alpha: -2, x, y)
        #expect(y.toArray() == [-1, -3, -5])
    }
}
