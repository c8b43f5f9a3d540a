/// Picks a backend from a device name: `cpu` or `cuda[:N]`.
public enum ComputeDevice {
    /// The backend for `name`; throws `invalidConfiguration` for an unknown name and `unsupported`
    /// (with the dlopen / cudaGetDeviceCount message) when CUDA is asked for but absent.
    public static func backend(named name: String, threads: Int) throws -> any ComputeBackend {
        if name == "cpu" { return CPUBackend(threads: threads) }
        if name == "cuda" { return try CUDABackend(device: 0, threads: threads) }
        if name.hasPrefix("cuda:"), let ordinal = Int(name.dropFirst(5)), ordinal >= 0 {
            return try CUDABackend(device: ordinal, threads: threads)
        }
        throw TrainingError(.invalidConfiguration, "device '\(name)' is not cpu, cuda or cuda:N")
    }
}
