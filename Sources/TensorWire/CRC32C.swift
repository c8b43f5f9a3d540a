internal import CCRC32C

/// CRC-32C (Castagnoli): carry-less folding (AVX-512 + VPCLMULQDQ) or SSE4.2 on x86-64, the ARMv8 CRC instructions on
/// aarch64 hosts that have them, slicing-by-8 elsewhere.
public enum CRC32C {
    /// The CRC32C of `bytes`, continuing from `seed` (0 to start; a previous result to chain pieces).
    public static func checksum(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return seed }
        return tessera_crc32c(seed, base, bytes.count)
    }

    /// Copies `source` into `destination` (same size, not overlapping) and returns its CRC32C continuing from `seed`,
    /// reading the source once: what `checksum(source, seed:)` after `copyMemory` gives, at about the checksum's cost.
    public static func copy(_ source: UnsafeRawBufferPointer, to destination: UnsafeMutableRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        precondition(destination.count == source.count, "CRC32C.copy: \(source.count) bytes into a buffer of \(destination.count)")
        guard let from = source.baseAddress, let to = destination.baseAddress, source.count > 0 else { return seed }
        return tessera_crc32c_copy(seed, to, from, source.count)
    }

    /// The portable table-driven result, identical to `checksum`; for tests and benchmarks.
    public static func softwareChecksum(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return seed }
        return tessera_crc32c_software(seed, base, bytes.count)
    }

    /// The CRC instruction's path alone, without carry-less folding (identical to `checksum`), copying into
    /// `destination` when given (same size); for tests and benchmarks of each path.
    public static func streamsChecksum(_ bytes: UnsafeRawBufferPointer, copyingTo destination: UnsafeMutableRawBufferPointer? = nil,
                                       seed: UInt32 = 0) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return seed }
        precondition(destination.map { $0.count == bytes.count } ?? true, "CRC32C.streamsChecksum: destination of another size")
        return tessera_crc32c_streams(seed, destination?.baseAddress, base, bytes.count)
    }

    /// Whether `checksum` uses the CPU's CRC32C instruction on this machine.
    public static var isHardwareAccelerated: Bool { tessera_crc32c_hardware_available() != 0 }

    /// Whether `checksum` folds inputs of 256 bytes or more with carry-less multiplication on this machine.
    public static var isFolding: Bool { tessera_crc32c_folding_available() != 0 }

    /// The CRC32C of a byte sequence.
    public static func checksum(_ bytes: some Collection<UInt8>, seed: UInt32 = 0) -> UInt32 {
        if let crc = bytes.withContiguousStorageIfAvailable({ checksum(UnsafeRawBufferPointer($0), seed: seed) }) {
            return crc
        }
        return Array(bytes).withUnsafeBytes { checksum($0, seed: seed) }
    }
}
