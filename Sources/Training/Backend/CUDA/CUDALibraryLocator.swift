#if canImport(Glibc)
import Glibc
#endif

/// Finds and opens the CUDA shared libraries at run time: the names the dynamic loader resolves
/// (LD_LIBRARY_PATH, ldconfig), then `$TESSERA_CUDA_LIBRARY_PATH` (colon-separated folders),
/// `$CUDA_HOME`/`$CUDA_PATH`, /usr/local/cuda and the `nvidia/*/lib` folders of Python wheels
/// (where a PyTorch install keeps its CUDA libraries). CUDA 13 is preferred over 12.
enum CUDALibraryLocator {
    /// Library majors tried, newest first.
    static let majors = ["13", "12"]

    /// An opened library and the path or name it was opened by.
    struct Opened {
        let handle: UnsafeMutableRawPointer
        let path: String
    }

    /// Opens `lib<stem>.so.<major>` for the first major in `majors` found anywhere; preloads
    /// `preload` stems from the same folder first (cuBLAS needs cuBLASLt beside it).
    static func open(_ stem: String, majors: [String] = majors, preload: [String] = []) -> Result<Opened, TrainingError> {
        var tried: [String] = []
        for major in majors {
            let name = "lib\(stem).so.\(major)"
            for folder in [nil] + searchFolders() {
                let candidate = folder.map { "\($0)/\(name)" } ?? name
                if folder != nil && access(candidate, F_OK) != 0 { continue }
                if let folder { for p in preload { _ = dlopen("\(folder)/lib\(p).so.\(major)", RTLD_NOW | RTLD_GLOBAL) } }
                if let handle = dlopen(candidate, RTLD_NOW | RTLD_GLOBAL) { return .success(Opened(handle: handle, path: candidate)) }
                tried.append("\(candidate): \(dlerror().map { String(cString: $0) } ?? "not loadable")")
            }
        }
        let detail = tried.prefix(3).joined(separator: "; ")
        return .failure(TrainingError(
            .unsupported,
            "CUDA is not available: lib\(stem).so.{\(majors.joined(separator: ","))} not found (\(detail)); "
                + "set TESSERA_CUDA_LIBRARY_PATH to the folder holding it"))
    }

    /// The folders searched after the loader's own path, existing ones only, in order.
    static func searchFolders() -> [String] {
        var folders: [String] = []
        if let list = getenv("TESSERA_CUDA_LIBRARY_PATH").map({ String(cString: $0) }) {
            folders += list.split(separator: ":").map(String.init)
        }
        for variable in ["CUDA_HOME", "CUDA_PATH"] {
            if let root = getenv(variable).map({ String(cString: $0) }) {
                folders += ["\(root)/lib64", "\(root)/lib", "\(root)/targets/x86_64-linux/lib"]
            }
        }
        folders += ["/usr/local/cuda/lib64", "/usr/local/cuda/targets/x86_64-linux/lib", "/usr/local/nvidia/lib64",
                    "/usr/local/nvidia/lib", "/usr/lib/x86_64-linux-gnu"]
        for pattern in [
            "/usr/local/lib/python3*/dist-packages/nvidia/*/lib", "/usr/lib/python3/dist-packages/nvidia/*/lib",
            "/opt/*/.venv/lib/python3*/site-packages/nvidia/*/lib", "/opt/*/lib/python3*/site-packages/nvidia/*/lib",
            "/usr/local/lib/python3*/site-packages/nvidia/*/lib",
        ] {
            folders += expand(pattern)
        }
        var seen = Set<String>()
        return folders.filter { access($0, F_OK) == 0 && seen.insert($0).inserted }
    }

    /// The paths matching a shell pattern, sorted.
    private static func expand(_ pattern: String) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        guard glob(pattern, 0, nil, &result) == 0 else { return [] }
        return (0..<Int(result.gl_pathc)).compactMap { i in result.gl_pathv[i].map { String(cString: $0) } }.sorted()
    }
}
