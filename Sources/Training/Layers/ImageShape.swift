/// The shape of one image in a batch row, stored NHWC: a row of `height · width · channels`
/// floats, channel fastest (pixel (y, x) channel c sits at `(y · width + x) · channels + c`).
public struct ImageShape: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Rows of pixels.
    public var height: Int
    /// Pixels per row.
    public var width: Int
    /// Values per pixel.
    public var channels: Int

    /// Creates an image shape.
    public init(height: Int, width: Int, channels: Int) {
        self.height = height
        self.width = width
        self.channels = channels
    }

    /// Floats per image.
    public var elementCount: Int { height * width * channels }

    /// "28×28×1".
    public var description: String { "\(height)×\(width)×\(channels)" }
}
