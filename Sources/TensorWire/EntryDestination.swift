/// The exact-size regions of one entry inside a frame being encoded, handed to the payload writer.
public struct EntryDestination {
    /// Room for exactly `rowCount` row keys (host order; little-endian hosts only).
    public let rowKeys: UnsafeMutableBufferPointer<Int64>
    /// Room for exactly `payloadLength` bytes; 64-byte aligned relative to the frame start.
    public let payload: UnsafeMutableRawBufferPointer

    /// Creates a destination from its two regions.
    public init(rowKeys: UnsafeMutableBufferPointer<Int64>, payload: UnsafeMutableRawBufferPointer) {
        self.rowKeys = rowKeys
        self.payload = payload
    }
}
