import DataPlane
import Training

/// The compute devices a worker can use: `cpu` or `cuda[:N]`.
public enum WorkerDevice {
    /// Opens `device` once to prove it works and returns what it opened (libraries, compute
    /// capability, whether steps run on the GPU); throws a `RuntimeFailure` carrying the dlopen /
    /// cudaGetDeviceCount message when CUDA or the GPU is missing.
    @discardableResult
    public static func check(_ device: String) throws -> String {
        do {
            let backend = try ComputeDevice.backend(named: device, threads: 1)
            return (backend as? CUDABackend)?.details ?? backend.name
        } catch let error as TrainingError {
            throw RuntimeFailure(.failedPrecondition, "--device \(device): \(error.message)")
        }
    }
}
