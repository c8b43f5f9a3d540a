#if canImport(Glibc)
import Glibc
#endif

/// The CUDA driver API (module loading and kernel launch, libcuda.so.1) and NVRTC (run-time
/// compilation, libnvrtc), loaded at run time like `CUDALibraries`.
final class CUDAKernelLibraries: @unchecked Sendable {
    typealias CUInit = @convention(c) (UInt32) -> Int32
    typealias CUModuleLoadData = @convention(c) (UnsafeMutablePointer<OpaquePointer?>, UnsafeRawPointer?) -> Int32
    typealias CUModuleGetFunction = @convention(c) (UnsafeMutablePointer<OpaquePointer?>, OpaquePointer?, UnsafePointer<CChar>) -> Int32
    typealias CULaunchKernel = @convention(c) (OpaquePointer?, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, OpaquePointer?,
                                               UnsafeMutablePointer<UnsafeMutableRawPointer?>?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> Int32
    typealias CUGetErrorString = @convention(c) (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>) -> Int32
    typealias NVRTCCreateProgram = @convention(c) (UnsafeMutablePointer<OpaquePointer?>, UnsafePointer<CChar>, UnsafePointer<CChar>?, Int32,
                                                   UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<UnsafePointer<CChar>?>?) -> Int32
    typealias NVRTCCompileProgram = @convention(c) (OpaquePointer?, Int32, UnsafePointer<UnsafePointer<CChar>?>?) -> Int32
    typealias NVRTCGetSize = @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int>) -> Int32
    typealias NVRTCGetBytes = @convention(c) (OpaquePointer?, UnsafeMutablePointer<CChar>) -> Int32
    typealias NVRTCDestroyProgram = @convention(c) (UnsafeMutablePointer<OpaquePointer?>) -> Int32
    typealias NVRTCGetErrorString = @convention(c) (Int32) -> UnsafePointer<CChar>?
    typealias NVRTCVersion = @convention(c) (UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int32>) -> Int32

    /// The NVRTC half: enough to compile source to PTX or CUBIN (no GPU needed).
    final class Compiler: @unchecked Sendable {
        let createProgram: NVRTCCreateProgram
        let compileProgram: NVRTCCompileProgram
        let getLogSize: NVRTCGetSize
        let getLog: NVRTCGetBytes
        let getPTXSize: NVRTCGetSize
        let getPTX: NVRTCGetBytes
        let getCUBINSize: NVRTCGetSize
        let getCUBIN: NVRTCGetBytes
        let destroyProgram: NVRTCDestroyProgram
        let errorString: NVRTCGetErrorString
        let version: NVRTCVersion
        /// Where libnvrtc was loaded from.
        let path: String

        init(_ nvrtc: CUDALibraryLocator.Opened) throws {
            createProgram = try cudaSymbol(nvrtc, "nvrtcCreateProgram")
            compileProgram = try cudaSymbol(nvrtc, "nvrtcCompileProgram")
            getLogSize = try cudaSymbol(nvrtc, "nvrtcGetProgramLogSize")
            getLog = try cudaSymbol(nvrtc, "nvrtcGetProgramLog")
            getPTXSize = try cudaSymbol(nvrtc, "nvrtcGetPTXSize")
            getPTX = try cudaSymbol(nvrtc, "nvrtcGetPTX")
            getCUBINSize = try cudaSymbol(nvrtc, "nvrtcGetCUBINSize")
            getCUBIN = try cudaSymbol(nvrtc, "nvrtcGetCUBIN")
            destroyProgram = try cudaSymbol(nvrtc, "nvrtcDestroyProgram")
            errorString = try cudaSymbol(nvrtc, "nvrtcGetErrorString")
            version = try cudaSymbol(nvrtc, "nvrtcVersion")
            path = nvrtc.path
        }

        /// Opens libnvrtc (CUDA 13 or 12; once per process).
        static func load() throws -> Compiler { try loaded.get() }

        private static let loaded: Result<Compiler, TrainingError> = Result {
            try Compiler(CUDALibraryLocator.open("nvrtc").get())
        }.mapError { $0 as? TrainingError ?? TrainingError(.unsupported, "NVRTC: \($0)") }

        /// "13.0".
        var versionString: String {
            var major: Int32 = 0, minor: Int32 = 0
            _ = version(&major, &minor)
            return "\(major).\(minor)"
        }

        /// Compiles `source` for `architecture` ("sm_90" gives CUBIN, "compute_90" PTX); throws
        /// `unsupported` with the compiler log on failure.
        func compile(_ source: String, name: String, architecture: String) throws -> [UInt8] {
            var program: OpaquePointer?
            try check(source.withCString { createProgram(&program, $0, name, 0, nil, nil) }, "nvrtcCreateProgram")
            defer { _ = destroyProgram(&program) }
            let options = ["--gpu-architecture=\(architecture)", "--std=c++17"]
            let cStrings = options.map { strdup($0) }
            defer { cStrings.forEach { Glibc.free($0) } }
            let pointers: [UnsafePointer<CChar>?] = cStrings.map { UnsafePointer($0) }
            let status = pointers.withUnsafeBufferPointer { compileProgram(program, Int32(options.count), $0.baseAddress) }
            guard status == 0 else {
                throw TrainingError(.unsupported, "NVRTC: compiling \(name) for \(architecture) failed: \(message(status)): \(log(program))")
            }
            let cubin = architecture.hasPrefix("sm_")
            var size = 0
            try check((cubin ? getCUBINSize : getPTXSize)(program, &size), "nvrtcGet\(cubin ? "CUBIN" : "PTX")Size")
            var bytes = [CChar](repeating: 0, count: max(size, 1))
            try check((cubin ? getCUBIN : getPTX)(program, &bytes), "nvrtcGet\(cubin ? "CUBIN" : "PTX")")
            return bytes.prefix(size).map { UInt8(bitPattern: $0) }
        }

        private func log(_ program: OpaquePointer?) -> String {
            var size = 0
            guard getLogSize(program, &size) == 0, size > 1 else { return "(no log)" }
            var text = [CChar](repeating: 0, count: size + 1)
            guard getLog(program, &text) == 0 else { return "(no log)" }
            return String(decoding: text.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }

        private func message(_ status: Int32) -> String {
            errorString(status).map { String(cString: $0) } ?? "error \(status)"
        }

        private func check(_ status: Int32, _ what: String) throws {
            guard status != 0 else { return }
            throw TrainingError(.unsupported, "NVRTC: \(what) failed: \(message(status))")
        }
    }

    let cuInit: CUInit
    let moduleLoadData: CUModuleLoadData
    let moduleGetFunction: CUModuleGetFunction
    let launchKernel: CULaunchKernel
    let getErrorString: CUGetErrorString
    let compiler: Compiler
    /// Where libcuda and libnvrtc were loaded from.
    let paths: [String]

    private init(driver: CUDALibraryLocator.Opened, compiler: Compiler) throws {
        cuInit = try cudaSymbol(driver, "cuInit")
        moduleLoadData = try cudaSymbol(driver, "cuModuleLoadData")
        moduleGetFunction = try cudaSymbol(driver, "cuModuleGetFunction")
        launchKernel = try cudaSymbol(driver, "cuLaunchKernel")
        getErrorString = try cudaSymbol(driver, "cuGetErrorString")
        self.compiler = compiler
        paths = [driver.path, compiler.path]
    }

    /// Opens libcuda.so.1 and libnvrtc (once per process).
    static func load() throws -> CUDAKernelLibraries { try loaded.get() }

    private static let loaded: Result<CUDAKernelLibraries, TrainingError> = Result {
        let driver = try CUDALibraryLocator.open("cuda", majors: ["1"]).get()
        return try CUDAKernelLibraries(driver: driver, compiler: Compiler.load())
    }.mapError { $0 as? TrainingError ?? TrainingError(.unsupported, "CUDA driver: \($0)") }

    /// Throws `unsupported` with the driver's message unless `status` is CUDA_SUCCESS.
    func check(_ status: Int32, _ what: String) throws {
        guard status != 0 else { return }
        var text: UnsafePointer<CChar>?
        _ = getErrorString(status, &text)
        throw TrainingError(.unsupported, "CUDA: \(what) failed: \(text.map { String(cString: $0) } ?? "error") (\(status))")
    }
}
