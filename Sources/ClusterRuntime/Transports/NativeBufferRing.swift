import NIOCore
import Synchronization

/// A few large message buffers kept for reuse, so a steady stream of big messages does not fault
/// fresh pages in for every one of them (the largest single cost of the native data plane when each
/// message got a new buffer).
///
/// A buffer handed out is also remembered here; when it comes round again, `ByteBuffer.clear`
/// reuses its storage if every other holder has let it go, and allocates a fresh one otherwise
/// (never a copy, never shared memory). Buffers under `minimumBytes` are not kept: small messages
/// are cheap to allocate. At most `capacity` buffers are held between messages: with the default
/// 2 MiB chunk limit that is up to 4 MiB per direction per connection kept while it is open.
struct NativeBufferRing {
    private var buffers: [ByteBuffer] = []
    private let capacity: Int
    private let minimumBytes: Int

    /// A ring holding up to `capacity` buffers of at least `minimumBytes`.
    init(capacity: Int = 2, minimumBytes: Int = 1 << 20) {
        self.capacity = capacity
        self.minimumBytes = minimumBytes
    }

    /// An empty buffer with room for `bytes`, reusing the oldest kept storage when it is free.
    mutating func take(_ bytes: Int, allocator: ByteBufferAllocator) -> ByteBuffer {
        guard bytes >= minimumBytes else { return allocator.buffer(capacity: bytes) }
        guard !buffers.isEmpty else { return fresh(bytes, allocator: allocator) }
        var buffer = buffers.removeFirst()
        if buffer.capacity < bytes { return fresh(bytes, allocator: allocator) }
        buffer.clear(minimumCapacity: bytes)
        return buffer
    }

    /// Remembers `buffer` for a later `take` (its contents stay valid for whoever holds it now).
    mutating func keep(_ buffer: ByteBuffer) {
        guard buffer.capacity >= minimumBytes else { return }
        if buffers.count == capacity { buffers.removeFirst() }
        buffers.append(buffer)
    }

    private func fresh(_ bytes: Int, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: bytes)
        buffer.withUnsafeMutableWritableBytes { adviseHugePages($0.baseAddress, count: $0.count) }
        return buffer
    }
}

/// A `NativeBufferRing` shared by the tasks that encode messages for one connection.
final class NativeSendBuffers: Sendable {
    private let ring = Mutex(NativeBufferRing())

    /// One buffer holding a preamble and a body of `bodyBytes` written by `encode` straight into it
    /// (which returns the bytes it wrote, at most `bodyBytes`); the preamble's length is set to that.
    func message(
        _ preamble: NativePreamble, bodyBytes: Int, allocator: ByteBufferAllocator,
        encode: (UnsafeMutableRawBufferPointer) throws -> Int
    ) rethrows -> ByteBuffer {
        var buffer = ring.withLock { $0.take(NativePreamble.size + bodyBytes, allocator: allocator) }
        try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: NativePreamble.size + bodyBytes) { out in
            let body = UnsafeMutableRawBufferPointer(rebasing: out[NativePreamble.size..<(NativePreamble.size + bodyBytes)])
            let written = try encode(body)
            var header = preamble
            header.length = UInt64(written)
            header.write(to: out.baseAddress!)
            return NativePreamble.size + written
        }
        return buffer
    }

    /// Offers a sent buffer back for reuse.
    func recycle(_ buffer: ByteBuffer) {
        ring.withLock { $0.keep(buffer) }
    }
}

/// Request arrays of one server connection kept for reuse: the server's decoder assembles large
/// bodies into an array handed back here once the request was served (and no one else holds it),
/// instead of faulting in a fresh one for each message. At most `capacity` arrays of at least
/// `minimumBytes` are kept.
final class NativeArrayPool: Sendable {
    private let arrays = Mutex<[[UInt8]]>([])
    private let capacity: Int
    private let minimumBytes: Int

    /// A pool keeping up to `capacity` arrays of at least `minimumBytes`.
    init(capacity: Int = 2, minimumBytes: Int = 1 << 20) {
        self.capacity = capacity
        self.minimumBytes = minimumBytes
    }

    /// An array of exactly `count` bytes (contents unspecified): a kept one cut to size, or a fresh one.
    func take(count: Int) -> [UInt8] {
        if count >= minimumBytes, var array = arrays.withLock({ $0.popLast() }) {
            if array.count >= count {
                array.removeLast(array.count - count)
                return array
            }
        }
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            adviseHugePages(UnsafeMutableRawPointer(buffer.baseAddress), count: count)
            initialized = count
        }
    }

    /// Keeps `array` for a later `take`; the caller lets go of its own reference right after.
    func recycle(_ array: [UInt8]) {
        guard array.count >= minimumBytes else { return }
        arrays.withLock { arrays in
            if arrays.count < capacity { arrays.append(array) }
        }
    }
}

/// Hands a request array to the task serving it without the task's closure keeping a reference.
final class NativeRequestBox: @unchecked Sendable {
    private var bytes: [UInt8]?

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The array, once (later calls return an empty array).
    func take() -> [UInt8] {
        defer { bytes = nil }
        return bytes ?? []
    }
}
