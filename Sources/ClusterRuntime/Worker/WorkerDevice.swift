import Training

/// The compute devices a worker can use: `cpu` or `cuda[:N]`.
public enum WorkerDevice {
    /// Opens `device` once to prove it works; throws a `RuntimeFailure` carrying the dlopen /
    /// cudaGetDeviceCount message when CUDA or the GPU is missing.
    public static func check(_ device: String) throws {
        do {
            _ = try ComputeDevice.backend(named: device, threads: 1)
        } catch let error as TrainingError {
            throw RuntimeFailure(.failedPrecondition, "--device \(device): \(error.message)")
        }
    }
}
