import Foundation

/// One tensor of a safetensors file: its name, dtype, shape and byte range in the data section.
public struct SafetensorsEntry: Sendable, Hashable {
    /// Tensor name, e.g. `dense_0/kernel`.
    public var name: String
    /// Element type.
    public var dtype: DType
    /// Row-major shape.
    public var shape: Shape
    /// Byte range inside the data section (after the header).
    public var range: Range<Int>

    /// Creates an entry.
    public init(name: String, dtype: DType, shape: Shape, range: Range<Int>) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.range = range
    }
}

/// The safetensors format (huggingface/safetensors): an 8-byte little-endian header length, a JSON
/// header naming each tensor's dtype, shape and `data_offsets`, then the raw little-endian tensor bytes.
public enum Safetensors {
    /// Largest header accepted when reading (the reference implementation's limit is 100 MB).
    public static let maxHeaderBytes = 100_000_000

    /// The dtype names of the format.
    public static func formatName(_ dtype: DType) -> String {
        switch dtype {
        case .f32: "F32"
        case .f16: "F16"
        case .bf16: "BF16"
        case .f64: "F64"
        case .i32: "I32"
        case .i64: "I64"
        case .u8: "U8"
        }
    }

    /// Parses a format dtype name.
    public static func dtype(formatName: String) -> DType? {
        switch formatName {
        case "F32": .f32
        case "F16": .f16
        case "BF16": .bf16
        case "F64": .f64
        case "I32": .i32
        case "I64": .i64
        case "U8": .u8
        default: nil
        }
    }

    /// Builds the header (JSON, space-padded to a multiple of 8 bytes) for tensors laid out in order.
    public static func header(for tensors: [(name: String, dtype: DType, shape: Shape)], metadata: [String: String]) throws(SafetensorsError) -> (header: [UInt8], entries: [SafetensorsEntry]) {
        var object: [String: Any] = [:]
        var entries: [SafetensorsEntry] = []
        var offset = 0
        var seen = Set<String>()
        for t in tensors {
            guard !t.name.isEmpty, t.name != "__metadata__", seen.insert(t.name).inserted else {
                throw SafetensorsError("tensor name '\(t.name)' is empty, reserved or repeated")
            }
            guard let count = t.shape.checkedElementCount, case let (bytes, false) = count.multipliedReportingOverflow(by: t.dtype.byteWidth),
                case let (end, false) = offset.addingReportingOverflow(bytes)
            else {
                throw SafetensorsError("tensor \(t.name): invalid shape \(t.shape)")
            }
            entries.append(SafetensorsEntry(name: t.name, dtype: t.dtype, shape: t.shape, range: offset..<end))
            object[t.name] = ["dtype": formatName(t.dtype), "shape": t.shape.dims, "data_offsets": [offset, end]] as [String: Any]
            offset = end
        }
        if !metadata.isEmpty { object["__metadata__"] = metadata }
        guard let json = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            throw SafetensorsError("could not encode the header")
        }
        var header = [UInt8](json)
        while header.count % 8 != 0 { header.append(0x20) }
        return (header, entries)
    }

    /// Parses and validates a header: every entry's dtype and shape match its byte range, ranges are
    /// contiguous from 0 without gaps or overlaps, and they end at `dataBytes`.
    public static func parseHeader(_ json: [UInt8], dataBytes: Int) throws(SafetensorsError) -> (entries: [SafetensorsEntry], metadata: [String: String]) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any] else {
            throw SafetensorsError("the header is not a JSON object")
        }
        var entries: [SafetensorsEntry] = []
        var metadata: [String: String] = [:]
        for (name, value) in object {
            if name == "__metadata__" {
                guard let m = value as? [String: String] else { throw SafetensorsError("__metadata__ must map strings to strings") }
                metadata = m
                continue
            }
            guard let info = value as? [String: Any], let dtypeName = info["dtype"] as? String,
                let dims = info["shape"] as? [Int], let offsets = info["data_offsets"] as? [Int], offsets.count == 2
            else {
                throw SafetensorsError("tensor \(name): needs dtype, shape and data_offsets [begin, end]")
            }
            guard let dtype = dtype(formatName: dtypeName) else { throw SafetensorsError("tensor \(name): unsupported dtype \(dtypeName)") }
            let shape = Shape(dims)
            // Bytes computed with an overflow check: a huge shape in a hostile header must not trap (found while writing fuzz-tensorwire).
            guard let count = shape.checkedElementCount, case let (bytes, false) = count.multipliedReportingOverflow(by: dtype.byteWidth),
                offsets[0] >= 0, offsets[1] >= offsets[0], offsets[1] - offsets[0] == bytes
            else {
                throw SafetensorsError("tensor \(name): data_offsets \(offsets) do not match \(dtypeName) \(shape)")
            }
            entries.append(SafetensorsEntry(name: name, dtype: dtype, shape: shape, range: offsets[0]..<offsets[1]))
        }
        entries.sort { ($0.range.lowerBound, $0.range.upperBound) < ($1.range.lowerBound, $1.range.upperBound) }
        var expected = 0
        for e in entries {
            guard e.range.lowerBound == expected else {
                throw SafetensorsError("tensor \(e.name) starts at byte \(e.range.lowerBound), expected \(expected): gap or overlap")
            }
            expected = e.range.upperBound
        }
        guard expected == dataBytes else {
            throw SafetensorsError("tensors cover \(expected) bytes but the data section holds \(dataBytes)")
        }
        return (entries, metadata)
    }
}

/// A problem with a safetensors file, in a sentence.
public struct SafetensorsError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What is wrong.
    public var message: String
    /// Creates an error.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}
