#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Appends TFRecord-framed records (`TFRecord.append`) to a file, buffered: `append` keeps records in
/// memory (writing once `bufferLimit` bytes are waiting), `flush` hands them to the OS so readers see
/// them, and the file is fsync'd only by `synchronize`, `close`, or a `flush` at least `syncInterval`
/// after the last fsync (TensorFlow's summary writer flushes every 120 s and on close).
public final class TFRecordWriter {
    /// The file written.
    public let path: String
    /// Buffered bytes that make `append` write to the file without waiting for `flush`.
    public let bufferLimit: Int
    /// The longest a `flush` lets written records go without an fsync.
    public let syncInterval: Duration

    private var fd: Int32
    private var buffer: [UInt8] = []
    private var unsynced = false
    private var lastSync = ContinuousClock.now

    /// Opens (creating, mode 0644, or appending to) a TFRecord file.
    public init(path: String, bufferLimit: Int = 256 << 10, syncInterval: Duration = .seconds(120)) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw TrainingError(.io, "\(path) cannot be opened for writing: \(DataRoot.describeErrno(errno))") }
        self.fd = fd
        self.path = path
        self.bufferLimit = max(0, bufferLimit)
        self.syncInterval = syncInterval
    }

    deinit { try? close() }

    /// Frames one record into the buffer; writes the buffer to the file once it holds `bufferLimit` bytes.
    public func append(_ data: [UInt8]) throws {
        guard fd >= 0 else { throw TrainingError(.io, "\(path) is closed") }
        TFRecord.append(data, to: &buffer)
        if buffer.count >= bufferLimit { try writeBuffer() }
    }

    /// Writes the buffered records to the file (visible to readers); fsyncs when `syncInterval` has passed since the last fsync.
    public func flush() throws {
        try writeBuffer()
        if unsynced, ContinuousClock.now - lastSync >= syncInterval { try sync() }
    }

    /// Writes the buffered records and fsyncs the file, so they survive a crash of the machine.
    public func synchronize() throws {
        try writeBuffer()
        if unsynced { try sync() }
    }

    /// Writes, fsyncs and closes the file; later appends are errors. Closing twice does nothing.
    public func close() throws {
        guard fd >= 0 else { return }
        defer {
            closeDescriptor(fd)
            fd = -1
        }
        try synchronize()
    }

    private func writeBuffer() throws {
        guard !buffer.isEmpty else { return }
        guard fd >= 0 else { throw TrainingError(.io, "\(path) is closed") }
        var written = 0
        let failure: Int32 = buffer.withUnsafeBytes { bytes in
            guard let base = bytes.baseAddress else { return 0 }
            while written < bytes.count {
                let n = write(fd, base + written, bytes.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                written += n
            }
            return 0
        }
        // Whatever reached the file leaves the buffer, so a retry never writes a record twice.
        buffer.removeFirst(written)
        if written > 0 { unsynced = true }
        guard failure == 0 else { throw TrainingError(.io, "\(path) cannot be written: \(DataRoot.describeErrno(failure))") }
    }

    private func sync() throws {
        while fsync(fd) != 0 {
            if errno == EINTR { continue }
            throw TrainingError(.io, "\(path) cannot be synced to disk: \(DataRoot.describeErrno(errno))")
        }
        unsynced = false
        lastSync = .now
    }
}

/// `close(2)` under a name the writer's own `close()` does not shadow.
private func closeDescriptor(_ fd: Int32) { _ = close(fd) }
