import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads whole input files confined to a data root, inflating gzip'd ones (detected by their magic
/// bytes, not their name), within a `DataBudget`. Errors name the spec key and the path as given,
/// never the file's contents.
enum FileSource {
    /// The bytes of `path` under `root` (inflated when gzip'd); `key` is the spec key (`data.train`) for messages.
    static func read(_ path: String, key: String, root: DataRoot, budget: DataBudget) throws -> [UInt8] {
        let quoted = DataRoot.quote(path)
        let real = try root.resolve(path, key: key)
        let fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else { throw TrainingError(.io, "\(key): \(quoted) cannot be opened: \(DataRoot.describeErrno(errno))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw TrainingError(.io, "\(key): \(quoted) cannot be read: \(DataRoot.describeErrno(errno))") }
        guard info.st_mode & S_IFMT == S_IFREG else { throw TrainingError(.io, "\(key): \(quoted) is not a regular file") }
        // The file opened must still be the one checked (a parent swapped for a symlink in between).
        try root.confirm(fd: fd, path: path, key: key)
        let size = Int(clamping: info.st_size)
        try budget.check(size, for: "\(key): \(quoted) is \(DataBudget.format(size)) on disk")
        let (bytes, failure) = readUpTo(fd, size: size)
        guard failure == 0 else { throw TrainingError(.io, "\(key): \(quoted) cannot be read: \(DataRoot.describeErrno(failure))") }
        return Gzip.isGzip(bytes) ? try Gzip.decompress(bytes, name: path, budget: budget) : bytes
    }
}

/// Reads at most `size` bytes (the size `fstat` reported) from `fd`; returns the bytes and errno (0 when all went well).
private func readUpTo(_ fd: Int32, size: Int) -> (bytes: [UInt8], failure: Int32) {
    var failure: Int32 = 0
    let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
        initialized = 0
        guard let base = buffer.baseAddress else { return }
        while initialized < size {
            let n = read(fd, base + initialized, size - initialized)
            if n < 0 {
                if errno == EINTR { continue }
                failure = errno
                return
            }
            if n == 0 { return }
            initialized += n
        }
    }
    return (bytes, failure)
}

/// One data load's files: under a confined root, or in memory keyed by path (fuzzing, tests), read
/// within the budget every load counts against.
struct DataFiles {
    /// Where the bytes come from.
    enum Source {
        /// Files under a data root, confined to it.
        case root(DataRoot)
        /// Contents keyed by path, as if they were files under a root.
        case memory([String: [UInt8]])
    }

    let source: Source
    let budget: DataBudget

    /// Refuses the first path that escapes (lexically, or on disk through a symlink) before anything is read.
    func confine(_ paths: [(key: String, path: String)]) throws {
        for (key, path) in paths {
            switch source {
            case .root(let root): _ = try root.resolve(path, key: key)
            case .memory:
                if let problem = DataRoot.lexicalProblem(path) {
                    throw TrainingError(.invalidConfiguration, "\(key): \(DataRoot.quote(path)) \(problem)")
                }
            }
        }
    }

    /// The bytes of `path` (inflated when gzip'd); `key` is the spec key (`data.train`) for messages.
    func read(_ path: String, key: String) throws -> [UInt8] {
        switch source {
        case .root(let root):
            return try FileSource.read(path, key: key, root: root, budget: budget)
        case .memory(let contents):
            guard let bytes = contents[path] else { throw TrainingError(.io, "\(key): \(DataRoot.quote(path)) does not exist under the data root") }
            try budget.check(bytes.count, for: "\(key): \(DataRoot.quote(path)) is \(DataBudget.format(bytes.count))")
            return Gzip.isGzip(bytes) ? try Gzip.decompress(bytes, name: path, budget: budget) : bytes
        }
    }
}
