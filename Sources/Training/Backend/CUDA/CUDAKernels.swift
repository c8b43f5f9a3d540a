/// The backend's kernels compiled by NVRTC for one GPU and loaded as a driver-API module.
final class CUDAKernels: @unchecked Sendable {
    private let libs: CUDAKernelLibraries
    private let functions: [String: OpaquePointer]
    /// "sm_90" (CUBIN) or "compute_90" (PTX, when CUBIN was refused).
    let architecture: String

    /// Compiles `CUDAKernelSource` for the current device (compute capability `major.minor`) and loads it.
    init(libs: CUDAKernelLibraries, computeCapability: (Int32, Int32)) throws {
        self.libs = libs
        try libs.check(libs.cuInit(0), "cuInit")
        let (major, minor) = computeCapability
        var module: OpaquePointer?
        var chosen = ""
        var failures: [String] = []
        for architecture in ["sm_\(major)\(minor)", "compute_\(major)\(minor)"] {
            do {
                let image = try libs.compiler.compile(CUDAKernelSource.source, name: "tessera_kernels.cu", architecture: architecture)
                let status = image.withUnsafeBytes { libs.moduleLoadData(&module, $0.baseAddress) }
                try libs.check(status, "cuModuleLoadData(\(architecture))")
                chosen = architecture
                break
            } catch let error as TrainingError {
                failures.append(error.message)
            }
        }
        guard module != nil else { throw TrainingError(.unsupported, failures.joined(separator: "; ")) }
        var functions: [String: OpaquePointer] = [:]
        for name in CUDAKernelSource.names {
            var function: OpaquePointer?
            try libs.check(name.withCString { libs.moduleGetFunction(&function, module, $0) }, "cuModuleGetFunction(\(name))")
            functions[name] = function
        }
        self.functions = functions
        self.architecture = chosen
    }

    /// One kernel argument, stored in an 8-byte slot as `cuLaunchKernel` reads it.
    enum Argument {
        case pointer(UnsafeMutableRawPointer?)
        case int32(Int32)
        case int64(Int64)
        case float(Float)
    }

    /// Launches `name` over `count` elements (one thread each, grid-stride beyond the grid's cap)
    /// on the default stream, which orders it with cuBLAS calls and copies.
    func launch(_ name: String, count: Int, _ arguments: [Argument]) throws {
        guard count > 0 else { return }
        guard let function = functions[name] else { throw TrainingError(.unsupported, "CUDA: no kernel \(name)") }
        let block = CUDAKernelSource.blockSize
        let grid = UInt32(min((count + block - 1) / block, 1 << 20))
        let slots = UnsafeMutablePointer<UInt64>.allocate(capacity: max(arguments.count, 1))
        defer { slots.deallocate() }
        let params = UnsafeMutablePointer<UnsafeMutableRawPointer?>.allocate(capacity: max(arguments.count, 1))
        defer { params.deallocate() }
        for (i, argument) in arguments.enumerated() {
            switch argument {
            case .pointer(let p): slots[i] = UInt64(UInt(bitPattern: p))
            case .int32(let v): slots[i] = UInt64(UInt32(bitPattern: v))
            case .int64(let v): slots[i] = UInt64(bitPattern: v)
            case .float(let v): slots[i] = UInt64(v.bitPattern)
            }
            params[i] = UnsafeMutableRawPointer(slots + i)
        }
        try libs.check(libs.launchKernel(function, grid, 1, 1, UInt32(block), 1, 1, 0, nil, params, nil), "launching \(name)")
    }
}
