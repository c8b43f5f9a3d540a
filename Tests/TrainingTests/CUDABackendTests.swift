import TensorWire
import Testing
@testable import Training

/// CUDA against CPU. Without CUDA (no libcudart / libcublas, or no GPU) the comparisons show as skipped and
/// one test checks that the failure is a clear `unsupported` error naming CUDA.
@Suite struct CUDABackendTests {
    /// The CUDA backend on device 0 (the tests that call this are enabled only where `TestSupport.hasCUDA`).
    func cuda() throws -> CUDABackend {
        let backend = try CUDABackend(device: 0)
        print("CUDA backend: \(backend.details)")
        return backend
    }

    // Skipped where a CUDA device is present: the comparisons below run instead.
    @Test(.disabled(if: TestSupport.hasCUDA, "a CUDA device is present: the comparisons run instead"))
    func withoutCUDATheBackendSaysWhy() throws {
        let error = try #require(throws: TrainingError.self) { _ = try CUDABackend(device: 0) }
        #expect(error.code == .unsupported && error.message.contains("CUDA"), "\(error)")
        print("no CUDA here: \(error.message)")
    }

    // Skipped without a CUDA device (no libcudart/libcublas or no GPU).
    @Test(.enabled(if: TestSupport.hasCUDA, "no CUDA device or libraries here"))
    func everyKernelAndModelStepMatchesCPU() throws {
        let gpu = try cuda()
        let rows = try BackendComparison.run(gpu)
        for row in rows {
            #expect(row.passed, "\(row.name): difference \(row.maxDifference) over \(row.tolerance)")
        }
        #expect(rows.count >= 24)
    }

    // Skipped without a CUDA device whose kernels load (steps on the device).
    @Test(.enabled(if: TestSupport.cuda.runsStepsOnDevice, "no CUDA device running whole steps here"))
    func anMLPStepMovesOnlyItsInputsAndGradients() throws {
        let gpu = try cuda()
        let model = try ModelFactory.make(ModelConfig(type: .mlp, inputWidth: 20, classes: 4, hidden: [32, 16]))
        let params = try ParameterSet(variables: model.variables, seed: 5)
        var grads = try ParameterSet(variables: model.variables)
        let batch = try Batch(features: TestSupport.random([64, 20], seed: 6),
                              labels: Tensor(shape: Shape([64]), values: (0..<64).map { Float($0 % 4) }))
        let before = gpu.transferredBytes
        _ = try model.trainStep(parameters: params, batch: batch, gradients: &grads, backend: gpu)
        let after = gpu.transferredBytes
        let parameterBytes = params.elementCount * 4
        #expect(after.uploaded - before.uploaded == parameterBytes + (64 * 20 + 64) * 4)
        #expect(after.downloaded - before.downloaded == parameterBytes)
    }

    // Skipped without a CUDA device whose kernels load (steps on the device).
    @Test(.enabled(if: TestSupport.cuda.runsStepsOnDevice, "no CUDA device running whole steps here"))
    func aBadLabelOnTheGPUIsTheSameErrorAsOnTheCPU() throws {
        let gpu = try cuda()
        let model = try ModelFactory.make(ModelConfig(type: .mlp, inputWidth: 8, classes: 3, hidden: [4]))
        let params = try ParameterSet(variables: model.variables, seed: 1)
        var grads = try ParameterSet(variables: model.variables)
        let batch = try Batch(features: TestSupport.random([4, 8], seed: 2), labels: Tensor(shape: Shape([4]), values: [0, 1, 7, 2]))
        let error = try #require(throws: TrainingError.self) {
            _ = try model.trainStep(parameters: params, batch: batch, gradients: &grads, backend: gpu)
        }
        #expect(error.code == .invalidData && error.message.contains("row 2"))
    }

    /// NVRTC compiles the kernels without a GPU; this runs wherever libnvrtc can be loaded
    /// (e.g. TESSERA_CUDA_LIBRARY_PATH pointing at a `nvidia-cuda-nvrtc` wheel's lib folder).
    // Skipped where libnvrtc cannot be loaded.
    @Test(.enabled(if: TestSupport.nvrtcUnavailable == nil, "libnvrtc cannot be loaded here (set TESSERA_CUDA_LIBRARY_PATH)"))
    func theKernelSourceCompiles() throws {
        let compiler = try CUDAKernelLibraries.Compiler.load()
        for architecture in ["sm_75", "sm_90", "compute_80"] {
            let image = try compiler.compile(CUDAKernelSource.source, name: "tessera_kernels.cu", architecture: architecture)
            #expect(image.count > 1000, "\(architecture): \(image.count) bytes")
        }
        for name in CUDAKernelSource.names {
            #expect(CUDAKernelSource.source.contains("void \(name)("), "\(name) is not defined in the source")
        }
        let error = try #require(throws: TrainingError.self) {
            _ = try compiler.compile("__global__ void broken( {", name: "broken.cu", architecture: "sm_90")
        }
        #expect(error.message.contains("broken.cu"))
    }

    /// Without NVRTC the compiler's failure is `unsupported`.
    @Test(.disabled(if: TestSupport.nvrtcUnavailable == nil, "libnvrtc loads here: the kernel source is compiled instead"))
    func withoutNVRTCTheCompilerSaysWhy() throws {
        let error = try #require(throws: TrainingError.self) { _ = try CUDAKernelLibraries.Compiler.load() }
        #expect(error.code == .unsupported)
        print("no NVRTC here: \(error.message)")
    }

    @Test func aMissingLibraryNamesWhatWasLookedForAndHowToPointAtIt() {
        guard case .failure(let error) = CUDALibraryLocator.open("tessera-no-such-library") else {
            Issue.record("a library that does not exist was opened")
            return
        }
        #expect(error.code == .unsupported)
        #expect(error.message.contains("libtessera-no-such-library.so.{13,12}") && error.message.contains("TESSERA_CUDA_LIBRARY_PATH"))
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

    /// The comparison itself, run CPU against CPU: every row is exact.
    @Test func theComparisonOfCPUWithItselfFindsNoDifference() throws {
        let rows = try BackendComparison.run(CPUBackend(threads: 2))
        #expect(rows.count >= 24)
        for row in rows { #expect(row.passed, "\(row.name): \(row.maxDifference)") }
    }
}
