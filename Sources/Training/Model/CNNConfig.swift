/// The convolutional part of a `cnn` model: conv (same padding, stride 1) + ReLU + max-pool blocks.
public struct CNNConfig: Sendable, Hashable, Codable {
    /// The input image (rows are NHWC floats).
    public var image: ImageShape
    /// Output channels of each conv block.
    public var filters: [Int]
    /// Square kernel size of every convolution.
    public var kernelSize: Int
    /// Square max-pool window and stride after every convolution.
    public var poolSize: Int

    /// Creates the settings; the defaults are LeNet-style 5×5 convolutions with 32 and 64 filters, 2×2 pools.
    public init(image: ImageShape, filters: [Int] = [32, 64], kernelSize: Int = 5, poolSize: Int = 2) {
        self.image = image
        self.filters = filters
        self.kernelSize = kernelSize
        self.poolSize = poolSize
    }
}
