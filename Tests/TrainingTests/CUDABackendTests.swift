import TensorWire
import Testing
@testable import Training

/// CUDA against CPU. Without CUDA (no libcudart.so.12 / libcublas.so.12, or no GPU) each test
/// checks that the failure is a clear `unsupported` error, prints why, and skips the comparison.
@Suite struct CUDABackendTests {
    /// The CUDA backend, or nil after printing why it is unavailable.
    func cuda() throws -> CUDABackend? {
        do {
            return try CUDABackend(device: 0)
        } catch let error as TrainingError {
            #expect(error.code == .unsupported && error.message.contains("CUDA"), "\(error)")
            print("skipped CUDA comparison: \(error.message)")
            return nil
        }
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func gemmMatchesCPU(_ transposes: (Bool, Bool)) throws {
        guard let gpu = try cuda() else { return }
        let cpu = CPUBackend(threads: 1)
        let (ta, tb) = transposes
        let a = TestSupport.random(ta ? [37, 65] : [65, 37], seed: 1)
        let b = TestSupport.random(tb ? [129, 37] : [37, 129], seed: 2)
        let c0 = TestSupport.random([65, 129], seed: 3)
        let c1 = Tensor(zeros: 65, 129)
        try c1.copy(from: c0)
        try cpu.gemm(a, transposeA: ta, b, transposeB: tb, into: c0, alpha: 0.5, beta: 0.25)
        try gpu.gemm(a, transposeA: ta, b, transposeB: tb, into: c1, alpha: 0.5, beta: 0.25)
        let x = c0.toArray(), y = c1.toArray()
        #expect(zip(x, y).allSatisfy { abs($0 - $1) <= 1e-3 * max(1, abs($0)) })
    }

    @Test func trainStepMatchesCPU() throws {
        guard let gpu = try cuda() else { return }
        let model = try ModelFactory.make(ModelConfig(type: .mlp, inputWidth: 20, classes: 4, hidden: [32, 16]))
        let params = try ParameterSet(variables: model.variables, seed: 5)
        var g0 = try ParameterSet(variables: model.variables)
        var g1 = try ParameterSet(variables: model.variables)
        let batch = try Batch(features: TestSupport.random([64, 20], seed: 6),
                              labels: Tensor(shape: Shape([64]), values: (0..<64).map { Float($0 % 4) }))
        let r0 = try model.trainStep(parameters: params, batch: batch, gradients: &g0, backend: CPUBackend(threads: 1))
        let r1 = try model.trainStep(parameters: params, batch: batch, gradients: &g1, backend: gpu)
        #expect(abs(r0.loss - r1.loss) < 1e-4)
        for (x, y) in zip(g0.tensors, g1.tensors) {
            #expect(zip(x.toArray(), y.toArray()).allSatisfy { abs($0 - $1) <= 1e-4 * max(1, abs($0)) })
        }
    }

    @Test func deviceNames() throws {
        #expect(try ComputeDevice.backend(named: "cpu", threads: 1).name == "cpu(threads: 1)")
        let error = try #require(throws: TrainingError.self) { _ = try ComputeDevice.backend(named: "tpu:0", threads: 1) }
        #expect(error.code == .invalidConfiguration)
        do {
            _ = try ComputeDevice.backend(named: "cuda:0", threads: 1)
        } catch let e as TrainingError {
            #expect(e.code == .unsupported && e.message.contains("CUDA"))
        }
    }
}
