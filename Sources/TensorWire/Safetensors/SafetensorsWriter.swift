import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes safetensors files atomically: to a temporary name in the same directory, fsync'd, then
/// renamed over the target (and the directory fsync'd), so a crash leaves the old file or the new one.
public enum SafetensorsWriter {
    /// One tensor to write; `write` copies its bytes (little-endian, row-major) into the destination.
    public struct Tensor {
        /// Name in the file.
        public var name: String
        /// Element type.
        public var dtype: DType
        /// Shape.
        public var shape: Shape
        /// Fills the destination (exactly `shape.elementCount × dtype.byteWidth` bytes).
        public var write: (UnsafeMutableRawBufferPointer) throws -> Void

        /// Creates a tensor source.
        public init(name: String, dtype: DType = .f32, shape: Shape, write: @escaping (UnsafeMutableRawBufferPointer) throws -> Void) {
            self.name = name
            self.dtype = dtype
            self.shape = shape
            self.write = write
        }

        /// A tensor whose values are an array of floats.
        public static func floats(_ name: String, shape: Shape, values: [Float]) -> Tensor {
            Tensor(name: name, shape: shape) { destination in
                values.withUnsafeBytes { destination.copyMemory(from: $0) }
            }
        }
    }

    /// Writes the tensors (in the given order) and metadata to `path`, readable and writable by its owner only unless
    /// `mode` says otherwise (models and checkpoints are private data); returns the CRC32C of the whole file.
    @discardableResult
    public static func write(
        _ tensors: [Tensor], metadata: [String: String] = [:], to path: String, mode: mode_t = 0o600, chunkBytes: Int = 8 << 20
    ) throws -> UInt32 {
        let (header, entries) = try Safetensors.header(for: tensors.map { ($0.name, $0.dtype, $0.shape) }, metadata: metadata)
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = "\(path).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw SafetensorsError("cannot create \(temporary): \(String(cString: strerror(errno)))") }
        var crc: UInt32 = 0
        do {
            defer { close(fd) }
            var length = UInt64(header.count).littleEndian
            try withUnsafeBytes(of: &length) { try writeAll(fd, $0, path: temporary, crc: &crc) }
            try header.withUnsafeBytes { try writeAll(fd, $0, path: temporary, crc: &crc) }
            for (tensor, entry) in zip(tensors, entries) {
                let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(entry.range.count, 1), alignment: 64)
                defer { buffer.deallocate() }
                let region = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<entry.range.count])
                try tensor.write(region)
                try writeAll(fd, UnsafeRawBufferPointer(region), path: temporary, crc: &crc)
            }
            guard fsync(fd) == 0 else { throw SafetensorsError("fsync \(temporary) failed: \(String(cString: strerror(errno)))") }
        } catch {
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw SafetensorsError("cannot rename \(temporary) to \(path): \(reason)")
        }
        let dirfd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_CLOEXEC)
        if dirfd >= 0 {
            fsync(dirfd)
            close(dirfd)
        }
        return crc
    }

    private static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String, crc: inout UInt32) throws {
        crc = CRC32C.checksum(bytes, seed: crc)
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw SafetensorsError("writing \(path) failed: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }
}
