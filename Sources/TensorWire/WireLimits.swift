/// Upper bounds a decoder enforces before it trusts any count or size read from the wire.
public struct WireLimits: Sendable, Hashable {
    /// Largest whole frame, in bytes (default 4 GiB).
    public var maxFrameBytes: Int
    /// Most entries in one frame (default 65 536).
    public var maxEntries: Int
    /// Largest tensor rank (default 8).
    public var maxRank: Int
    /// Longest frame message, in UTF-8 bytes (default and format maximum 4096).
    public var maxMessageBytes: Int
    /// Most elements in one entry's payload, and most row keys in one entry (default 2^31).
    public var maxElementsPerEntry: Int

    /// Creates limits; every argument defaults to the value of `WireLimits.default`.
    public init(
        maxFrameBytes: Int = 4 << 30,
        maxEntries: Int = 1 << 16,
        maxRank: Int = 8,
        maxMessageBytes: Int = WireFormat.maxMessageBytes,
        maxElementsPerEntry: Int = 1 << 31
    ) {
        self.maxFrameBytes = maxFrameBytes
        self.maxEntries = maxEntries
        self.maxRank = maxRank
        self.maxMessageBytes = maxMessageBytes
        self.maxElementsPerEntry = maxElementsPerEntry
    }

    /// 4 GiB frames, 65 536 entries, rank 8, 4 KiB messages, 2^31 elements per entry.
    public static let `default` = WireLimits()

    /// What the format itself can carry; the encoder checks entries against these.
    static let encoder = WireLimits(
        maxFrameBytes: Int.max, maxEntries: Int(UInt32.max), maxRank: Int(UInt8.max),
        maxMessageBytes: WireFormat.maxMessageBytes, maxElementsPerEntry: Int.max
    )
}
