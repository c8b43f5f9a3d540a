import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The directory a worker's data paths are confined to (`--data-root`), with symlinks resolved:
/// a path must be relative, must not climb out with `..`, and must still lie inside the root
/// once every symlink in it is followed.
public struct DataRoot: Sendable {
    /// The root as configured.
    public let configured: String
    /// The root with every symlink resolved (`realpath`).
    public let resolved: String

    /// Resolves `url`; throws `io` when it does not exist or is not a directory.
    public init(_ url: URL) throws {
        configured = url.path
        guard let real = realpath(url.path, nil) else {
            throw TrainingError(.io, "data root \(Self.quote(url.path)) cannot be resolved: \(Self.describeErrno(errno))")
        }
        defer { free(real) }
        resolved = String(cString: real)
        var info = stat()
        guard stat(resolved, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            throw TrainingError(.io, "data root \(Self.quote(url.path)) is not a directory")
        }
    }

    /// Why `path` is refused before touching the file system (empty, NUL, absolute, `..` above the root), or nil.
    /// Usable without a data root, e.g. when a job is submitted.
    public static func lexicalProblem(_ path: String) -> String? {
        if path.isEmpty { return "is empty" }
        if path.utf8.contains(0) { return "contains a NUL byte" }
        if path.hasPrefix("/") { return "is outside the data root (an absolute path; data paths are relative to --data-root)" }
        var depth = 0
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch component {
            case ".": continue
            case "..":
                depth -= 1
                if depth < 0 { return "is outside the data root ('..' climbs above it)" }
            default: depth += 1
            }
        }
        return depth > 0 ? nil : "names the data root itself, not a file"
    }

    /// The symlink-free absolute path of `path` under the root; `key` (`data.train`) prefixes every error.
    public func resolve(_ path: String, key: String) throws -> String {
        if let problem = Self.lexicalProblem(path) {
            throw TrainingError(.invalidConfiguration, "\(key): \(Self.quote(path)) \(problem)")
        }
        guard let real = realpath(resolved + "/" + path, nil) else {
            let code = errno
            let what = code == ENOENT || code == ENOTDIR ? "does not exist under the data root" : "cannot be resolved: \(Self.describeErrno(code))"
            throw TrainingError(.io, "\(key): \(Self.quote(path)) \(what)")
        }
        defer { free(real) }
        let target = String(cString: real)
        guard contains(target) else {
            throw TrainingError(.invalidConfiguration, "\(key): \(Self.quote(path)) is outside the data root (a symbolic link leads out of it)")
        }
        return target
    }

    /// Throws unless the open file `fd` (on Linux, as /proc/self/fd names it) still lies inside the root.
    func confirm(fd: Int32, path: String, key: String) throws {
        #if os(Linux)
        guard let real = realpath("/proc/self/fd/\(fd)", nil) else { return }
        defer { free(real) }
        guard contains(String(cString: real)) else {
            throw TrainingError(.invalidConfiguration, "\(key): \(Self.quote(path)) is outside the data root (it changed while being opened)")
        }
        #endif
    }

    /// True when the absolute, symlink-free `target` is the root or below it.
    func contains(_ target: String) -> Bool {
        if resolved == "/" { return true }
        return target == resolved || target.hasPrefix(resolved + "/")
    }

    /// A path as a Swift string literal (quotes and control characters escaped).
    static func quote(_ path: String) -> String { String(reflecting: path) }

    /// `strerror` for an errno value.
    static func describeErrno(_ code: Int32) -> String { String(cString: strerror(code)) }
}
