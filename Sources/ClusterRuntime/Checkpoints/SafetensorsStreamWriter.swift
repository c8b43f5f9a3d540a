import Foundation
import TensorWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a safetensors file whose tensor bytes arrive in order, chunk by chunk, so no tensor is ever whole in memory;
/// atomic like `SafetensorsWriter` (temporary name, fsync, rename, directory fsync). The file is byte-for-byte the one
/// `SafetensorsWriter.write` makes of the same tensors. Unfinished writers delete their temporary file.
final class SafetensorsStreamWriter {
    /// The target path.
    let path: String
    /// Where bytes go until `finish()`.
    let temporary: String
    /// Bytes of tensor data the header announces.
    let dataBytes: Int
    /// Each tensor's place in the data, in header order.
    let entries: [SafetensorsEntry]
    private var fd: Int32
    private var written = 0
    private var crc: UInt32 = 0

    /// Creates the temporary file and writes the header for `tensors` (in this order) and `metadata`.
    init(tensors: [(name: String, dtype: DType, shape: Shape)], metadata: [String: String], to path: String, mode: mode_t = 0o600) throws {
        let (header, entries) = try Safetensors.header(for: tensors, metadata: metadata)
        self.path = path
        self.entries = entries
        dataBytes = entries.last?.range.upperBound ?? 0
        temporary = "\(path).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw SafetensorsError("cannot create \(temporary): \(String(cString: strerror(errno)))") }
        var length = UInt64(header.count).littleEndian
        try withUnsafeBytes(of: &length) { try put($0) }
        try header.withUnsafeBytes { try put($0) }
    }

    deinit { abandon() }

    /// Appends tensor data; refuses bytes beyond what the header announced.
    func append(_ bytes: UnsafeRawBufferPointer) throws {
        guard case let (end, false) = written.addingReportingOverflow(bytes.count), end <= dataBytes else {
            throw SafetensorsError("\(path): \(written) + \(bytes.count) bytes of tensor data exceed the \(dataBytes) the header announces")
        }
        try put(bytes)
        written = end
    }

    /// Checks every announced byte arrived, fsyncs and renames over `path`; returns the CRC32C of the whole file.
    func finish() throws -> UInt32 {
        guard fd >= 0 else { throw SafetensorsError("\(path): the writer was already finished or abandoned") }
        guard written == dataBytes else {
            throw SafetensorsError("\(path): \(written) bytes of tensor data written, the header announces \(dataBytes)")
        }
        guard fsync(fd) == 0 else { throw SafetensorsError("fsync \(temporary) failed: \(String(cString: strerror(errno)))") }
        close(fd)
        fd = -1
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw SafetensorsError("cannot rename \(temporary) to \(path): \(reason)")
        }
        let directory = (path as NSString).deletingLastPathComponent
        let dirfd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_CLOEXEC)
        if dirfd >= 0 {
            fsync(dirfd)
            close(dirfd)
        }
        return crc
    }

    /// Closes and deletes the temporary file (nothing after `finish()`).
    func abandon() {
        guard fd >= 0 else { return }
        close(fd)
        fd = -1
        unlink(temporary)
    }

    private func put(_ bytes: UnsafeRawBufferPointer) throws {
        guard fd >= 0 else { throw SafetensorsError("\(path): the writer was already finished or abandoned") }
        crc = CRC32C.checksum(bytes, seed: crc)
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw SafetensorsError("writing \(temporary) failed: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }
}
