import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A regular file mapped read-only into memory instead of copied (a checkpoint is as large as the shard's rows: a
/// copy would double a restore's memory; mapped pages are the page cache's and are dropped under pressure).
enum MappedFile {
    /// Maps `resolved` (no symbolic link followed), at most `limit` bytes; the mapping lives as long as the `Data`.
    static func map(_ resolved: String, limit: Int, limitName: String, for what: String) throws -> Data {
        let fd = open(resolved, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else {
            throw RuntimeFailure(.notFound, "\(what) \(resolved) cannot be opened: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw RuntimeFailure(.invalidArgument, "\(what) \(resolved) is not a regular file")
        }
        guard let size = Int(exactly: info.st_size), size >= 0 else {
            throw RuntimeFailure(.invalidArgument, "\(what) \(resolved) has an impossible size")
        }
        guard size <= limit else {
            throw RuntimeFailure(.resourceExhausted, "\(what) \(resolved) is \(size) bytes, more than the \(limit) bytes this psd reads (\(limitName))")
        }
        guard size > 0 else { return Data() }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw RuntimeFailure(.resourceExhausted, "\(what) \(resolved) cannot be mapped: \(String(cString: strerror(errno)))")
        }
        _ = madvise(base, size, MADV_SEQUENTIAL)
        return Data(bytesNoCopy: base, count: size, deallocator: .custom { pointer, count in _ = munmap(pointer, count) })
    }
}
