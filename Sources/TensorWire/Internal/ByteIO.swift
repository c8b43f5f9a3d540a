#if _endian(big)
#error("TensorWire assumes a little-endian host (payloads and row keys are copied as raw little-endian bytes).")
#endif

extension UnsafeMutableRawBufferPointer {
    /// Stores an integer little-endian at a byte offset (no alignment needed).
    @inline(__always)
    func storeLE<T: FixedWidthInteger>(_ value: T, at offset: Int) {
        storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self)
    }

    /// Sets `range` of the buffer to zero.
    @inline(__always)
    func zero(_ range: Range<Int>) {
        guard !range.isEmpty, let base = baseAddress else { return }
        (base + range.lowerBound).initializeMemory(as: UInt8.self, repeating: 0, count: range.count)
    }
}

extension UnsafeRawBufferPointer {
    /// Loads a little-endian integer from a byte offset (no alignment needed).
    @inline(__always)
    func loadLE<T: FixedWidthInteger>(_ offset: Int, as type: T.Type) -> T {
        T(littleEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    /// The sub-buffer covering `range`.
    @inline(__always)
    func slice(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: self[range])
    }

    /// Whether every byte in `range` is zero.
    func isZero(_ range: Range<Int>) -> Bool {
        for i in range where self[i] != 0 { return false }
        return true
    }
}

extension FrameHeader {
    /// The message's UTF-8 bytes, cut to at most 4096 bytes on a scalar boundary.
    var wireMessage: [UInt8] {
        var bytes = Array(message.utf8)
        if bytes.count > WireFormat.maxMessageBytes {
            var cut = WireFormat.maxMessageBytes
            while cut > 0, bytes[cut] & 0xC0 == 0x80 { cut -= 1 }
            bytes.removeSubrange(cut...)
        }
        return bytes
    }
}
