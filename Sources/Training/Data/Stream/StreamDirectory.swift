import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The files of a stream's directory under the data root: names matching the pattern, in name order. Names starting
/// with "." are never listed (the written-then-renamed convention: a writer fills `.name.tmp`, then renames it), nor
/// is anything that is not a regular file (directories, sockets), so a half-written file is never taken.
public struct StreamDirectory: Sendable {
    /// The directory, relative to the data root (the spec's `data.stream.dir`).
    public let dir: String
    /// Shell pattern the names must match (`fnmatch`).
    public let pattern: String
    private let root: DataRoot

    /// Most names one listing keeps (the smallest ones, in name order); the rest wait for a later listing.
    public static let maxListed = 100_000

    /// A stream directory under `dataRoot`; throws when it escapes the root, does not exist or is not a directory.
    public init(dir: String, pattern: String, dataRoot: URL) throws {
        root = try DataRoot(dataRoot)
        self.dir = dir
        self.pattern = pattern
        var info = stat()
        let path = try root.resolve(dir, key: "data.stream.dir")
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            throw TrainingError(.invalidConfiguration, "data.stream.dir: \(DataRoot.quote(dir)) is not a directory")
        }
    }

    /// The file's path relative to the data root (what `DataLoader` reads).
    public func path(of name: String) -> String { dir.hasSuffix("/") ? dir + name : dir + "/" + name }

    /// The names after `after` (all when nil) that match the pattern, in name order, at most `maxListed` of them.
    public func list(after: String?) throws -> [String] {
        let path = try root.resolve(dir, key: "data.stream.dir")
        guard let handle = opendir(path) else {
            throw TrainingError(.io, "data.stream.dir: \(DataRoot.quote(dir)) cannot be listed: \(DataRoot.describeErrno(errno))")
        }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard Self.takes(name, pattern: pattern), after.map({ name > $0 }) ?? true else { continue }
            var info = stat()
            guard stat(path + "/" + name, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
            names.append(name)
            if names.count > 2 * Self.maxListed {  // keep memory bounded however many files wait
                names.sort()
                names.removeLast(names.count - Self.maxListed)
            }
        }
        names.sort()
        return Array(names.prefix(Self.maxListed))
    }

    /// Whether a stream with `pattern` takes a file called `name`: not hidden, and matching the pattern.
    public static func takes(_ name: String, pattern: String) -> Bool {
        guard !name.isEmpty, !name.hasPrefix(".") else { return false }
        return fnmatch(pattern, name, FNM_PERIOD) == 0
    }
}
