import Foundation

/// Reads whole input files, inflating gzip'd ones (detected by their magic bytes, not their name).
enum FileSource {
    /// The bytes of `path` (relative paths resolve against `root`); `name` is the path as configured, for messages.
    static func read(_ path: String, root: URL) throws -> [UInt8] {
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : root.appendingPathComponent(path)
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw TrainingError(.io, "\(path): cannot read \(url.path): \(error.localizedDescription)")
        }
        let bytes = [UInt8](data)
        return Gzip.isGzip(bytes) ? try Gzip.decompress(bytes, name: path) : bytes
    }
}
