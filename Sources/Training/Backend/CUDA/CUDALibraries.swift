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
    typealias BlasCreate = @convention(c) (UnsafeMutablePointer<OpaquePointer?>) -> Int32
    typealias BlasSgemm = @convention(c) (OpaquePointer?, Int32, Int32, Int32, Int32, Int32, UnsafePointer<Float>,
                                          UnsafeRawPointer?, Int32, UnsafeRawPointer?, Int32, UnsafePointer<Float>,
                                          UnsafeMutableRawPointer?, Int32) -> Int32

    let getDeviceCount: GetDeviceCount
    let setDevice: SetDevice
    let malloc: Malloc
    let free: Free
    let memcpy: Memcpy
    let errorString: ErrorString
    let blasCreate: BlasCreate
    let sgemm: BlasSgemm

    static let hostToDevice: Int32 = 1
    static let deviceToHost: Int32 = 2

    private init(runtime: UnsafeMutableRawPointer, blas: UnsafeMutableRawPointer) throws {
        func symbol<T>(_ handle: UnsafeMutableRawPointer, _ name: String, _ type: T.Type) throws -> T {
            guard let p = dlsym(handle, name) else {
                throw TrainingError(.unsupported, "CUDA: symbol \(name) not found (\(String(cString: dlerror())))")
            }
            return unsafeBitCast(p, to: type)
        }
        getDeviceCount = try symbol(runtime, "cudaGetDeviceCount", GetDeviceCount.self)
        setDevice = try symbol(runtime, "cudaSetDevice", SetDevice.self)
        malloc = try symbol(runtime, "cudaMalloc", Malloc.self)
        free = try symbol(runtime, "cudaFree", Free.self)
        memcpy = try symbol(runtime, "cudaMemcpy", Memcpy.self)
        errorString = try symbol(runtime, "cudaGetErrorString", ErrorString.self)
        blasCreate = try symbol(blas, "cublasCreate_v2", BlasCreate.self)
        sgemm = try symbol(blas, "cublasSgemm_v2", BlasSgemm.self)
    }

    /// Opens libcudart.so.12 and libcublas.so.12 (once per process).
    static func load() throws -> CUDALibraries {
        try loaded.get()
    }

    private static let loaded: Result<CUDALibraries, TrainingError> = {
        func open(_ name: String) -> Result<UnsafeMutableRawPointer, TrainingError> {
            if let h = dlopen(name, RTLD_NOW | RTLD_GLOBAL) { return .success(h) }
            let reason = dlerror().map { String(cString: $0) } ?? "unknown error"
            return .failure(TrainingError(.unsupported, "CUDA is not available: dlopen(\(name)) failed: \(reason)"))
        }
        return Result {
            let runtime = try open("libcudart.so.12").get()
            let blas = try open("libcublas.so.12").get()
            do { return try CUDALibraries(runtime: runtime, blas: blas) } catch let e as TrainingError { throw e } catch {
                throw TrainingError(.unsupported, "CUDA: \(error)")
            }
        }.mapError { $0 as? TrainingError ?? TrainingError(.unsupported, "\($0)") }
    }()

    /// Throws `unsupported` with the runtime's message unless `status` is cudaSuccess.
    func check(_ status: Int32, _ what: String) throws {
        guard status != 0 else { return }
        let text = errorString(status).map { String(cString: $0) } ?? "error \(status)"
        throw TrainingError(.unsupported, "CUDA: \(what) failed: \(text) (\(status))")
    }
}
