import Foundation
import TensorWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A checkpoint file opened for reading by ranges (pread), never held whole: a restore reads one partition at a time,
/// so its memory is one partition beside the job's rows (a mapping would count the whole file in the psd's RSS).
/// Every number read from the file is checked: the header length against `Safetensors.maxHeaderBytes` and the file
/// size, every tensor's range by `Safetensors.parseHeader`.
final class CheckpointFileHandle: @unchecked Sendable {
    /// The path, for messages.
    let path: String
    /// Tensors in data order.
    let entries: [SafetensorsEntry]
    /// The header's `__metadata__`.
    let metadata: [String: String]
    /// File size in bytes.
    let size: Int
    private let fd: Int32
    private let dataStart: Int

    /// Opens `resolved` (no symbolic link followed), at most `limit` bytes, and parses its header.
    init(_ resolved: String, name: String, limit: Int, limitName: String) throws {
        let fd = open(resolved, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else {
            throw RuntimeFailure(.notFound, "checkpoint \(resolved) cannot be opened: \(String(cString: strerror(errno)))")
        }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, let size = Int(exactly: info.st_size), size >= 0 else {
            close(fd)
            throw RuntimeFailure(.invalidArgument, "checkpoint \(resolved) is not a regular file")
        }
        guard size <= limit else {
            close(fd)
            throw RuntimeFailure(.resourceExhausted, "checkpoint \(resolved) is \(size) bytes, more than the \(limit) bytes this psd reads (\(limitName))")
        }
        self.fd = fd
        self.path = name
        self.size = size
        // The header's length is the file's first 8 bytes: bounded before anything is allocated for it.
        var length: UInt64 = 0
        let headerLength: Int
        do {
            guard size >= 8 else { throw RuntimeFailure(.dataLoss, "checkpoint file \(name) is \(size) bytes: too short for a safetensors header") }
            try withUnsafeMutableBytes(of: &length) { try Self.readFully(fd, into: $0, at: 0, path: name) }
            let n = UInt64(littleEndian: length)
            guard n <= UInt64(Safetensors.maxHeaderBytes), Int(n) <= size - 8 else {
                throw RuntimeFailure(.dataLoss, "checkpoint file \(name) is unreadable: its header length runs past its \(size) bytes or the \(Safetensors.maxHeaderBytes)-byte limit")
            }
            headerLength = Int(n)
            var header = [UInt8](repeating: 0, count: headerLength)
            try header.withUnsafeMutableBytes { try Self.readFully(fd, into: $0, at: 8, path: name) }
            let parsed = try Safetensors.parseHeader(header, dataBytes: size - 8 - headerLength)
            entries = parsed.entries
            metadata = parsed.metadata
        } catch let error as SafetensorsError {
            close(fd)
            throw RuntimeFailure(.dataLoss, "checkpoint file \(name) is unreadable: \(error)")
        } catch {
            close(fd)
            throw error
        }
        dataStart = 8 + headerLength
    }

    deinit { close(fd) }

    /// The CRC32C of the whole file, read through one `chunkBytes` buffer.
    func checksum(chunkBytes: Int = 8 << 20) throws -> UInt32 {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkBytes, alignment: 64)
        defer { buffer.deallocate() }
        var crc: UInt32 = 0, offset = 0
        while offset < size {
            let region = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<min(chunkBytes, size - offset)])
            try Self.readFully(fd, into: region, at: offset, path: path)
            crc = CRC32C.checksum(UnsafeRawBufferPointer(region), seed: crc)
            offset += region.count
        }
        return crc
    }

    /// A tensor's f32 values (checkpoints hold f32 values and slots).
    func floats(_ e: SafetensorsEntry) throws -> [Float] {
        guard e.dtype == .f32 else { throw RuntimeFailure(.dataLoss, "\(path): tensor \(e.name) is \(e.dtype), not f32") }
        var out = [Float](repeating: 0, count: e.range.count / 4)
        try out.withUnsafeMutableBytes { try Self.readFully(fd, into: $0, at: dataStart + e.range.lowerBound, path: path) }
        #if _endian(big)
        out = out.map { Float(bitPattern: UInt32(littleEndian: $0.bitPattern)) }
        #endif
        return out
    }

    /// A tensor's i64 values (row keys).
    func int64s(_ e: SafetensorsEntry) throws -> [Int64] {
        guard e.dtype == .i64 else { throw RuntimeFailure(.dataLoss, "\(path): row keys \(e.name) are not i64") }
        var out = [Int64](repeating: 0, count: e.range.count / 8)
        try out.withUnsafeMutableBytes { try Self.readFully(fd, into: $0, at: dataStart + e.range.lowerBound, path: path) }
        #if _endian(big)
        out = out.map { Int64(littleEndian: $0) }
        #endif
        return out
    }

    private static func readFully(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int, path: String) throws {
        var done = 0
        while done < buffer.count {
            let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if n < 0, errno == EINTR { continue }
            guard n > 0 else {
                throw RuntimeFailure(.dataLoss, "checkpoint file \(path) ends early or cannot be read at byte \(offset + done)")
            }
            done += n
        }
    }
}
