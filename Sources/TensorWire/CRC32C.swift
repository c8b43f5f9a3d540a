internal import CCRC32C

/// CRC-32C (Castagnoli): SSE4.2 hardware on x86-64, slicing-by-8 elsewhere.
public enum CRC32C {
    /// The CRC32C of `bytes`, continuing from `seed` (0 to start; a previous result to chain pieces).
    public static func checksum(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return seed }
        return tessera_crc32c(seed, base, bytes.count)
    }

    /// The portable table-driven result, identical to `checksum`; for tests and benchmarks.
    public static func softwareChecksum(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return seed }
        return tessera_crc32c_software(seed, base, bytes.count)
    }

    /// Whether `checksum` uses the CPU's CRC32C instruction on this machine.
    public static var isHardwareAccelerated: Bool { tessera_crc32c_hardware_available() != 0 }

    /// The CRC32C of a byte sequence.
    public static func checksum(_ bytes: some Collection<UInt8>, seed: UInt32 = 0) -> UInt32 {
        if let crc = bytes.withContiguousStorageIfAvailable({ checksum(UnsafeRawBufferPointer($0), seed: seed) }) {
            return crc
        }
        return Array(bytes).withUnsafeBytes { checksum($0, seed: seed) }
    }
}
