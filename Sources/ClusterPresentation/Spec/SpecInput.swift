import ClusterRuntime
import Foundation

/// A job spec's text as `submit`, `submit --dry-run` and `validate` read it: from a file or, for `-`, standard
/// input; at most the coordinator's `maxSpecBytes` (1 MiB), UTF-8.
public enum SpecInput {
    /// The largest spec read: what SubmitJob accepts.
    public static let maxBytes = CoordinatorService.maxSpecBytes

    /// The text of `path`, or of standard input for "-"; throws a sentence naming the source and the limit.
    public static func read(_ path: String) throws(RuntimeFailure) -> String {
        let source = path == "-" ? "standard input" : path
        let handle: FileHandle
        if path == "-" {
            handle = FileHandle.standardInput
        } else {
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else {
                throw RuntimeFailure(.invalidArgument, "cannot read job spec \(path): \(String(cString: strerror(errno)))")
            }
            var info = stat()
            guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT != S_IFDIR else {
                close(descriptor)
                throw RuntimeFailure(.invalidArgument, "cannot read job spec \(path): it is a directory")
            }
            handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        }
        return try text(of: handle, source: source)
    }

    /// Reads at most `maxBytes` + 1 bytes of `handle` and decodes them.
    static func text(of handle: FileHandle, source: String) throws(RuntimeFailure) -> String {
        var data = Data()
        do {
            while data.count <= maxBytes {
                guard let chunk = try handle.read(upToCount: maxBytes + 1 - data.count), !chunk.isEmpty else { break }
                data.append(chunk)
            }
        } catch {
            throw RuntimeFailure(.invalidArgument, "cannot read job spec from \(source): \(error.localizedDescription)")
        }
        guard data.count <= maxBytes else {
            throw RuntimeFailure(.invalidArgument, "the job spec in \(source) is larger than \(maxBytes) bytes (the coordinator's spec limit)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw RuntimeFailure(.invalidArgument, "the job spec in \(source) is not UTF-8 text")
        }
        return text
    }
}
