/// An owning entry: header, row keys and raw little-endian payload bytes.
public struct WireEntry: Sendable {
    /// The entry's header; `rowCount` and `payloadLength` must match the arrays.
    public var header: EntryHeader
    /// Sparse rows: one key per payload row; dense: empty.
    public var rowKeys: [Int64]
    /// Raw little-endian tensor bytes.
    public var payload: [UInt8]

    /// Creates an entry from its parts.
    public init(header: EntryHeader, rowKeys: [Int64] = [], payload: [UInt8] = []) {
        self.header = header
        self.rowKeys = rowKeys
        self.payload = payload
    }

    /// A dense f32 entry holding `floats` (which should have `shape.elementCount` elements).
    public static func dense(variableID: UInt32, partition: UInt32, version: UInt64, shape: Shape, floats: UnsafeBufferPointer<Float>) -> WireEntry {
        var header = EntryHeader.dense(variableID: variableID, partition: partition, version: version, dtype: .f32, shape: shape)
        let payload = Array(UnsafeRawBufferPointer(floats))
        if header.payloadLength < 0 { header.payloadLength = payload.count }
        return WireEntry(header: header, payload: payload)
    }

    /// A dense entry of any dtype from raw little-endian bytes.
    public static func dense(variableID: UInt32, partition: UInt32, version: UInt64, dtype: DType, shape: Shape, bytes: UnsafeRawBufferPointer) -> WireEntry {
        var header = EntryHeader.dense(variableID: variableID, partition: partition, version: version, dtype: dtype, shape: shape)
        if header.payloadLength < 0 { header.payloadLength = bytes.count }
        return WireEntry(header: header, payload: Array(bytes))
    }

    /// A sparse-rows f32 entry: `rowKeys.count` rows of `shape.rowWidth` floats each, `shape` being the full shape.
    public static func sparse(
        variableID: UInt32, partition: UInt32, version: UInt64, shape: Shape, rowKeys: [Int64], floats: UnsafeBufferPointer<Float>
    ) -> WireEntry {
        sparse(variableID: variableID, partition: partition, version: version, dtype: .f32, shape: shape, rowKeys: rowKeys, bytes: UnsafeRawBufferPointer(floats))
    }

    /// A sparse-rows entry of any dtype from raw little-endian row bytes.
    public static func sparse(
        variableID: UInt32, partition: UInt32, version: UInt64, dtype: DType, shape: Shape, rowKeys: [Int64], bytes: UnsafeRawBufferPointer
    ) -> WireEntry {
        var header = EntryHeader.sparse(
            variableID: variableID, partition: partition, version: version, dtype: dtype, shape: shape, rowCount: rowKeys.count)
        if header.payloadLength < 0 { header.payloadLength = bytes.count }
        return WireEntry(header: header, rowKeys: rowKeys, payload: Array(bytes))
    }

    /// A value-less entry naming a variable partition (pull requests, push acknowledgements).
    public static func empty(variableID: UInt32, partition: UInt32, version: UInt64) -> WireEntry {
        WireEntry(header: .empty(variableID: variableID, partition: partition, version: version))
    }

    /// A sparse-rows entry with row keys but no values (sparse pull requests).
    public static func sparseKeys(variableID: UInt32, partition: UInt32, version: UInt64, dtype: DType, shape: Shape, rowKeys: [Int64]) -> WireEntry {
        WireEntry(
            header: .sparseKeys(variableID: variableID, partition: partition, version: version, dtype: dtype, shape: shape, rowCount: rowKeys.count),
            rowKeys: rowKeys)
    }

    /// The payload as Float: f32 copied, f16 / bf16 / f64 converted; other dtypes are a `badDType` error.
    public func floats() throws(WireError) -> [Float] {
        var result: Result<[Float], WireError> = .success([])
        payload.withUnsafeBytes { raw in
            do throws(WireError) {
                result = .success(try WireFormat.readFloats(raw, dtype: header.dtype))
            } catch {
                result = .failure(WireError(error.code, "entry (variable \(header.variableID)): \(error.message)"))
            }
        }
        return try result.get()
    }
}
