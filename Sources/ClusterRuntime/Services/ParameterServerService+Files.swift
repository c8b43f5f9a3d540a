import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Files a request names (a checkpoint to restore, a model to start from), read only from directories the psd
/// trusts: the path is resolved with realpath, so neither `..` nor a symbolic link leads out of them; the size is
/// checked before a byte is read; the file is read once; and no error carries any of its contents.
enum ConfinedFile {
    /// A directory files may be read from, named for messages ("data dir").
    struct Root {
        var name: String
        var path: String
    }

    /// The real path of `path` when it lies inside one of `roots`: a relative path is tried against each root in
    /// order, an absolute one must resolve inside one. INVALID_ARGUMENT when it does not (whether or not it exists:
    /// nothing outside the roots is probed) or when one candidate leads outside, NOT_FOUND when it would lie inside
    /// but is missing.
    static func resolve(_ path: String, in roots: [Root], for what: String) throws -> String {
        // Each root as resolved (where files must lie) and as written (for paths that do not exist, judged by text).
        let resolvedRoots = roots.compactMap { realPath($0.path) }
        let writtenRoots = resolvedRoots + roots.map { lexicallyNormalized($0.path) }
        let candidates = path.hasPrefix("/") ? [path] : roots.map { ($0.path as NSString).appendingPathComponent(path) }
        var missingInside = false, escapes = false
        for candidate in candidates {
            if let resolved = realPath(candidate) {
                if resolvedRoots.contains(where: { resolved.hasPrefix($0 + "/") }) { return resolved }
                escapes = true
            } else if writtenRoots.contains(where: { lexicallyNormalized(candidate).hasPrefix($0 + "/") }) {
                missingInside = true
            }
        }
        let allowed = roots.map { "\($0.name) \($0.path)" }.joined(separator: " or the ")
        if missingInside && !escapes {
            throw RuntimeFailure(.notFound, "\(what) \(path) does not exist in this psd's \(allowed)")
        }
        throw RuntimeFailure(
            .invalidArgument,
            "\(what) \(path) is outside this psd's \(allowed) (symbolic links and .. resolved); only files there are read")
    }

    /// Reads the regular file at `resolved` whole, once. RESOURCE_EXHAUSTED, before reading, when it is larger than
    /// `limit` bytes (`limitName` names the setting in the sentence).
    static func read(_ resolved: String, limit: Int, limitName: String, for what: String) throws -> Data {
        let fd = open(resolved, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else {
            throw RuntimeFailure(.notFound, "\(what) \(resolved) cannot be opened: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw RuntimeFailure(.invalidArgument, "\(what) \(resolved) is not a regular file")
        }
        let size = Int(info.st_size)
        guard size <= limit else {
            throw RuntimeFailure(.resourceExhausted, "\(what) \(resolved) is \(size) bytes, more than the \(limit) bytes this psd reads (\(limitName))")
        }
        var data = Data(count: size)
        let read = data.withUnsafeMutableBytes { buffer -> Int in
            guard let base = buffer.baseAddress else { return 0 }
            var done = 0
            while done < size {
                let n = Glibc.read(fd, base + done, size - done)
                if n < 0, errno == EINTR { continue }
                guard n > 0 else { break }
                done += n
            }
            return done
        }
        guard read == size else {
            throw RuntimeFailure(.dataLoss, "\(what) \(resolved) ended after \(read) of its \(size) bytes while being read")
        }
        return data
    }

    /// realpath(3): the absolute path with every symbolic link, `.` and `..` resolved; nil when it does not exist.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// `path` made absolute (against the working directory) with `.` and `..` removed by text alone.
    static func lexicallyNormalized(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path)
        var parts: [Substring] = []
        for part in absolute.split(separator: "/") {
            switch part {
            case ".": continue
            case "..": _ = parts.popLast()
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }
}
