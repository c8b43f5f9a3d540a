/// The exact-size regions of one entry inside a frame being encoded, handed to the payload writer.
public struct EntryDestination {
    /// Room for exactly `rowCount` row keys (host order; little-endian hosts only).
    public let rowKeys: UnsafeMutableBufferPointer<Int64>
    /// Room for exactly `payloadLength` bytes; 64-byte aligned relative to the frame start.
    public let payload: UnsafeMutableRawBufferPointer
    /// Where `copyPayload` leaves the checksum it computed for the encoder (nil: outside an encode).
    let checksum: DataChecksum?

    /// Creates a destination from its two regions.
    public init(rowKeys: UnsafeMutableBufferPointer<Int64>, payload: UnsafeMutableRawBufferPointer) {
        self.init(rowKeys: rowKeys, payload: payload, checksum: nil)
    }

    init(rowKeys: UnsafeMutableBufferPointer<Int64>, payload: UnsafeMutableRawBufferPointer, checksum: DataChecksum?) {
        self.rowKeys = rowKeys
        self.payload = payload
        self.checksum = checksum
    }

    /// Fills the whole payload from `source` (exactly `payload.count` bytes), checksumming it on the way so the encoder
    /// does not read it a second time. Write the row keys first, and nothing into the payload after this.
    public func copyPayload(from source: UnsafeRawBufferPointer) {
        guard let checksum else { return payload.copyMemory(from: source) }
        let keys = CRC32C.checksum(UnsafeRawBufferPointer(rowKeys))
        checksum.record(rowKeys: keys, data: CRC32C.copy(source, to: payload, seed: keys))
    }
}

/// The data CRC an entry's payload writer computed while copying (`EntryDestination.copyPayload`), kept with the row
/// keys' CRC it started from so the encoder can tell whether the row keys changed afterwards.
final class DataChecksum {
    private(set) var rowKeys: UInt32 = 0
    private(set) var data: UInt32?

    func record(rowKeys: UInt32, data: UInt32) {
        self.rowKeys = rowKeys
        self.data = data
    }

    func reset() { data = nil }
}
