#if canImport(Glibc)
import Glibc
#endif

/// The CUDA runtime and cuBLAS entry points, resolved at run time with `dlopen`/`dlsym` so the
/// package builds and runs without CUDA; `load` throws a sentence naming what is missing.
final class CUDALibraries: @unchecked Sendable {
    typealias GetDeviceCount = @convention(c) (UnsafeMutablePointer<Int32>) -> Int32
    typealias SetDevice = @convention(c) (Int32) -> Int32
    typealias Malloc = @convention(c) (UnsafeMutablePointer<UnsafeMutableRawPointer?>, Int) -> Int32
    typealias Free = @convention(c) (UnsafeMutableRawPointer?) -> Int32
    typealias Memcpy = @convention(c) (UnsafeMutableRawPointer?, UnsafeRawPointer?, Int, Int32) -> Int32
    typealias ErrorString = @convention(c) (Int32) -> UnsafePointer<CChar>?
    typealias DeviceGetAttribute = @convention(c) (UnsafeMutablePointer<Int32>, Int32, Int32) -> Int32
    typealias DeviceSynchronize = @convention(c) () -> Int32
    typealias BlasCreate = @convention(c) (UnsafeMutablePointer<OpaquePointer?>) -> Int32
    typealias BlasDestroy = @convention(c) (OpaquePointer?) -> Int32
    typealias BlasSgemm = @convention(c) (OpaquePointer?, Int32, Int32, Int32, Int32, Int32, UnsafePointer<Float>,
                                          UnsafeRawPointer?, Int32, UnsafeRawPointer?, Int32, UnsafePointer<Float>,
                                          UnsafeMutableRawPointer?, Int32) -> Int32

    let getDeviceCount: GetDeviceCount
    let setDevice: SetDevice
    let malloc: Malloc
    let free: Free
    let memcpy: Memcpy
    let errorString: ErrorString
    let deviceGetAttribute: DeviceGetAttribute
    let deviceSynchronize: DeviceSynchronize
    let blasCreate: BlasCreate
    let blasDestroy: BlasDestroy
    let sgemm: BlasSgemm
    /// Where the runtime and cuBLAS were loaded from (for logs).
    let paths: [String]

    static let hostToDevice: Int32 = 1
    static let deviceToHost: Int32 = 2
    static let deviceToDevice: Int32 = 3
    /// cudaDevAttrComputeCapabilityMajor / Minor.
    static let computeCapabilityMajor: Int32 = 75
    static let computeCapabilityMinor: Int32 = 76

    private init(runtime: CUDALibraryLocator.Opened, blas: CUDALibraryLocator.Opened) throws {
        getDeviceCount = try cudaSymbol(runtime, "cudaGetDeviceCount")
        setDevice = try cudaSymbol(runtime, "cudaSetDevice")
        malloc = try cudaSymbol(runtime, "cudaMalloc")
        free = try cudaSymbol(runtime, "cudaFree")
        memcpy = try cudaSymbol(runtime, "cudaMemcpy")
        errorString = try cudaSymbol(runtime, "cudaGetErrorString")
        deviceGetAttribute = try cudaSymbol(runtime, "cudaDeviceGetAttribute")
        deviceSynchronize = try cudaSymbol(runtime, "cudaDeviceSynchronize")
        blasCreate = try cudaSymbol(blas, "cublasCreate_v2")
        blasDestroy = try cudaSymbol(blas, "cublasDestroy_v2")
        sgemm = try cudaSymbol(blas, "cublasSgemm_v2")
        paths = [runtime.path, blas.path]
    }

    /// Opens libcudart (CUDA 13 or 12) and the libcublas of the same major (once per process).
    static func load() throws -> CUDALibraries {
        try loaded.get()
    }

    private static let loaded: Result<CUDALibraries, TrainingError> = Result {
        let runtime = try CUDALibraryLocator.open("cudart").get()
        let major = String(runtime.path.split(separator: ".").last ?? "")
        let blas = try CUDALibraryLocator.open("cublas", majors: [major], preload: ["cublasLt"]).get()
        return try CUDALibraries(runtime: runtime, blas: blas)
    }.mapError { $0 as? TrainingError ?? TrainingError(.unsupported, "CUDA: \($0)") }

    /// c = alpha · op(a) · op(b) + beta · c on device pointers of row-major matrices, with cuBLAS (column-major):
    /// row-major C = op(A) op(B) is column-major Cᵀ = op(B)ᵀ op(A)ᵀ, so the operands are swapped.
    func sgemmRowMajor(_ handle: OpaquePointer?, _ g: GemmShape, transposeA: Bool, transposeB: Bool, alpha: Float,
                       _ a: UnsafeRawPointer?, _ b: UnsafeRawPointer?, beta: Float, _ c: UnsafeMutableRawPointer?) throws {
        var al = alpha, be = beta
        let status = sgemm(handle, transposeB ? 1 : 0, transposeA ? 1 : 0, Int32(g.n), Int32(g.m), Int32(g.k), &al,
                           b, Int32(g.ldb), a, Int32(g.lda), &be, c, Int32(g.ldc))
        guard status == 0 else { throw TrainingError(.unsupported, "CUDA: cublasSgemm failed with status \(status)") }
    }

    /// Throws `unsupported` with the runtime's message unless `status` is cudaSuccess.
    func check(_ status: Int32, _ what: String) throws {
        guard status != 0 else { return }
        let text = errorString(status).map { String(cString: $0) } ?? "error \(status)"
        throw TrainingError(.unsupported, "CUDA: \(what) failed: \(text) (\(status))")
    }
}

/// Resolves `name` in an opened library as a C function of type `T`, or throws naming it.
func cudaSymbol<T>(_ library: CUDALibraryLocator.Opened, _ name: String, as type: T.Type = T.self) throws -> T {
    guard let p = dlsym(library.handle, name) else {
        throw TrainingError(.unsupported, "CUDA: symbol \(name) not found in \(library.path)")
    }
    return unsafeBitCast(p, to: type)
}
