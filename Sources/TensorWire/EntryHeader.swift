/// The fixed description of one entry: which variable partition, which version, and how its bytes are shaped.
public struct EntryHeader: Sendable, Hashable {
    /// The variable, as numbered by the job's placement.
    public var variableID: UInt32
    /// The partition (shard slice) of the variable.
    public var partition: UInt32
    /// Version (step) the values belong to, or the gradient was computed on.
    public var version: UInt64
    /// Dense tensor or sparse rows.
    public var encoding: EntryEncoding
    /// Element type of the payload.
    public var dtype: DType
    /// Dense: the tensor's shape. Sparse rows: the full (logical) shape; dim 0 may be 0 (unbounded).
    public var shape: Shape
    /// Flag bits, e.g. `.noPayload` for requests.
    public var flags: EntryFlags
    /// Sparse rows: number of Int64 row keys; dense: 0.
    public var rowCount: Int
    /// Bytes of tensor payload: dense `shape.elementCount × byteWidth`, sparse `rowCount × shape.rowWidth × byteWidth`, 0 with `.noPayload`.
    public var payloadLength: Int
    /// Dense chunks: first row (along dim 0) of the partition this entry covers; `shape.dims[0]` rows follow. 0 = from the start.
    public var rowOffset: Int = 0

    /// Creates a header from every field; prefer the `.dense`, `.sparse`, `.empty` and `.sparseKeys` factories.
    public init(
        variableID: UInt32, partition: UInt32, version: UInt64, encoding: EntryEncoding, dtype: DType,
        shape: Shape, flags: EntryFlags = [], rowCount: Int, payloadLength: Int, rowOffset: Int = 0
    ) {
        self.rowOffset = rowOffset
        self.variableID = variableID
        self.partition = partition
        self.version = version
        self.encoding = encoding
        self.dtype = dtype
        self.shape = shape
        self.flags = flags
        self.rowCount = rowCount
        self.payloadLength = payloadLength
    }

    /// A dense entry carrying every element of `shape`.
    public static func dense(variableID: UInt32, partition: UInt32, version: UInt64, dtype: DType, shape: Shape) -> EntryHeader {
        let length = Self.expectedPayloadLength(encoding: .dense, dtype: dtype, shape: shape, rowCount: 0) ?? -1
        return EntryHeader(
            variableID: variableID, partition: partition, version: version, encoding: .dense, dtype: dtype,
            shape: shape, rowCount: 0, payloadLength: length)
    }

    /// A sparse-rows entry carrying `rowCount` row keys and rows of the full `shape`.
    public static func sparse(
        variableID: UInt32, partition: UInt32, version: UInt64, dtype: DType, shape: Shape, rowCount: Int
    ) -> EntryHeader {
        let length = Self.expectedPayloadLength(encoding: .sparseRows, dtype: dtype, shape: shape, rowCount: rowCount) ?? -1
        return EntryHeader(
            variableID: variableID, partition: partition, version: version, encoding: .sparseRows, dtype: dtype,
            shape: shape, rowCount: rowCount, payloadLength: length)
    }

    /// A dense chunk: rows `rowOffset ..< rowOffset + shape.dims[0]` of a partition, `shape` being the chunk's shape.
    public static func denseChunk(variableID: UInt32, partition: UInt32, version: UInt64, dtype: DType, shape: Shape, rowOffset: Int) -> EntryHeader {
        var h = dense(variableID: variableID, partition: partition, version: version, dtype: dtype, shape: shape)
        h.rowOffset = rowOffset
        h.flags.insert(.rowRange)
        return h
    }

    /// A value-less request for rows `rowOffset ..< rowOffset + shape.dims[0]` of a dense partition (chunked pulls): `.noPayload`.
    public static func chunkRequest(variableID: UInt32, partition: UInt32, version: UInt64, shape: Shape, rowOffset: Int) -> EntryHeader {
        EntryHeader(
            variableID: variableID, partition: partition, version: version, encoding: .dense, dtype: .f32,
            shape: shape, flags: [.noPayload, .rowRange], rowCount: 0, payloadLength: 0, rowOffset: rowOffset)
    }

    /// A value-less dense entry naming a variable partition (pull requests, push acknowledgements): rank-0 f32 shape, `.noPayload`.
    public static func empty(variableID: UInt32, partition: UInt32, version: UInt64) -> EntryHeader {
        EntryHeader(
            variableID: variableID, partition: partition, version: version, encoding: .dense, dtype: .f32,
            shape: Shape([]), flags: .noPayload, rowCount: 0, payloadLength: 0)
    }

    /// A sparse-rows entry with row keys but no values (sparse pull requests): `.noPayload`.
    public static func sparseKeys(
        variableID: UInt32, partition: UInt32, version: UInt64, dtype: DType, shape: Shape, rowCount: Int
    ) -> EntryHeader {
        EntryHeader(
            variableID: variableID, partition: partition, version: version, encoding: .sparseRows, dtype: dtype,
            shape: shape, flags: .noPayload, rowCount: rowCount, payloadLength: 0)
    }

    /// Whether the entry carries values (it does unless `.noPayload` is set).
    public var hasPayload: Bool { !flags.contains(.noPayload) }

    /// Number of payload elements: dense `shape.elementCount`, sparse `rowCount × rowWidth`; nil when they overflow or are negative.
    public var payloadElementCount: Int? {
        guard hasPayload else { return 0 }
        return Self.expectedPayloadLength(encoding: encoding, dtype: .u8, shape: shape, rowCount: rowCount)
    }

    /// The payload length the format requires for a valued entry; nil when negative or overflowing.
    public static func expectedPayloadLength(encoding: EntryEncoding, dtype: DType, shape: Shape, rowCount: Int) -> Int? {
        guard rowCount >= 0 else { return nil }
        let elements: Int
        switch encoding {
        case .dense:
            guard let n = shape.checkedElementCount else { return nil }
            elements = n
        case .sparseRows:
            guard shape.rank >= 1, let width = Shape(Array(shape.dims.dropFirst())).checkedElementCount,
                shape.dims[0] >= 0
            else { return nil }
            let (n, o) = rowCount.multipliedReportingOverflow(by: width)
            guard !o else { return nil }
            elements = n
        }
        let (bytes, o) = elements.multipliedReportingOverflow(by: dtype.byteWidth)
        return o ? nil : bytes
    }
}
