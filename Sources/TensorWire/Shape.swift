/// The dimensions of a tensor, outermost first (row-major).
public struct Shape: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Sizes of each dimension; an empty array is a scalar.
    public var dims: [Int]

    /// Creates a shape from its dimensions.
    public init(_ dims: [Int]) { self.dims = dims }

    /// Number of dimensions.
    public var rank: Int { dims.count }

    /// Number of elements (1 for a scalar); `nil` when a dimension is negative or the product overflows.
    public var checkedElementCount: Int? {
        var n = 1
        for d in dims {
            guard d >= 0 else { return nil }
            let (p, o) = n.multipliedReportingOverflow(by: d)
            if o { return nil }
            n = p
        }
        return n
    }

    /// Number of elements; only call on shapes known to be valid (non-negative, no overflow).
    public var elementCount: Int { checkedElementCount ?? 0 }

    /// Elements in one row along dim 0 (the product of the remaining dimensions).
    public var rowWidth: Int { dims.dropFirst().reduce(1, *) }

    /// "[3, 4]".
    public var description: String { "[" + dims.map(String.init).joined(separator: ", ") + "]" }
}
