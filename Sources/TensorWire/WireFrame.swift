/// A decoded (owning) frame: its header and entries with copied row keys and payloads.
public struct WireFrame: Sendable {
    /// The frame-level fields.
    public var header: FrameHeader
    /// The entries, in wire order.
    public var entries: [WireEntry]

    /// Creates a frame.
    public init(header: FrameHeader, entries: [WireEntry] = []) {
        self.header = header
        self.entries = entries
    }
}
