/// One feature of a `tf.train.Example` (tensorflow/core/example/feature.proto):
/// `Feature { oneof kind { BytesList bytes_list = 1; FloatList float_list = 2; Int64List int64_list = 3; } }`.
public enum ExampleFeature: Sendable, Hashable {
    /// `bytes_list` (field 1).
    case bytes([[UInt8]])
    /// `float_list` (field 2), packed or not.
    case floats([Float])
    /// `int64_list` (field 3), packed or not.
    case int64s([Int64])

    /// Numeric values as floats, nil for bytes.
    public var floatValues: [Float]? {
        switch self {
        case .floats(let v): v
        case .int64s(let v): v.map(Float.init)
        case .bytes: nil
        }
    }
}

/// A hand-written protobuf codec for `tf.train.Example { Features features = 1; }` with
/// `Features { map<string, Feature> feature = 1; }` — enough to read and write TFRecord datasets.
public enum ExampleProto {
    /// Decodes an Example into its feature map; throws `invalidData` describing the first bad field.
    public static func decode(_ bytes: ArraySlice<UInt8>) throws -> [String: ExampleFeature] {
        var result: [String: ExampleFeature] = [:]
        var example = ProtoCursor(bytes)
        while let (field, wire) = try example.tag() {
            guard field == 1, wire == 2 else { try example.skip(wire); continue }
            var features = ProtoCursor(try example.lengthDelimited())
            while let (f, w) = try features.tag() {
                guard f == 1, w == 2 else { try features.skip(w); continue }
                var entry = ProtoCursor(try features.lengthDelimited())
                var key = ""
                var value: ExampleFeature?
                while let (ef, ew) = try entry.tag() {
                    if ef == 1, ew == 2 {
                        key = String(decoding: try entry.lengthDelimited(), as: UTF8.self)
                    } else if ef == 2, ew == 2 {
                        value = try feature(try entry.lengthDelimited())
                    } else {
                        try entry.skip(ew)
                    }
                }
                result[key] = value ?? .floats([])
            }
        }
        return result
    }

    private static func feature(_ bytes: ArraySlice<UInt8>) throws -> ExampleFeature {
        var cursor = ProtoCursor(bytes)
        var out = ExampleFeature.floats([])
        while let (field, wire) = try cursor.tag() {
            guard wire == 2, (1...3).contains(field) else { try cursor.skip(wire); continue }
            var list = ProtoCursor(try cursor.lengthDelimited())
            switch field {
            case 1:
                var values: [[UInt8]] = []
                while let (f, w) = try list.tag() {
                    if f == 1, w == 2 { values.append(Array(try list.lengthDelimited())) } else { try list.skip(w) }
                }
                out = .bytes(values)
            case 2:
                var values: [Float] = []
                while let (f, w) = try list.tag() {
                    if f == 1, w == 2 {
                        var packed = ProtoCursor(try list.lengthDelimited())
                        while !packed.atEnd { values.append(Float(bitPattern: try packed.fixed32())) }
                    } else if f == 1, w == 5 {
                        values.append(Float(bitPattern: try list.fixed32()))
                    } else { try list.skip(w) }
                }
                out = .floats(values)
            default:
                var values: [Int64] = []
                while let (f, w) = try list.tag() {
                    if f == 1, w == 2 {
                        var packed = ProtoCursor(try list.lengthDelimited())
                        while !packed.atEnd { values.append(Int64(bitPattern: try packed.varint())) }
                    } else if f == 1, w == 0 {
                        values.append(Int64(bitPattern: try list.varint()))
                    } else { try list.skip(w) }
                }
                out = .int64s(values)
            }
        }
        return out
    }

    /// Encodes an Example (keys sorted, lists packed), as TensorFlow would.
    public static func encode(_ features: [String: ExampleFeature]) -> [UInt8] {
        var map: [UInt8] = []
        for (key, feature) in features.sorted(by: { $0.key < $1.key }) {
            var value: [UInt8] = []
            switch feature {
            case .bytes(let list):
                var body: [UInt8] = []
                for b in list { body += field(1, bytes: b) }
                value = field(1, bytes: body)
            case .floats(let list):
                var packed: [UInt8] = []
                for f in list { packed += (0..<4).map { UInt8(truncatingIfNeeded: f.bitPattern >> (8 * $0)) } }
                value = field(2, bytes: field(1, bytes: packed))
            case .int64s(let list):
                var packed: [UInt8] = []
                for v in list { packed += varint(UInt64(bitPattern: v)) }
                value = field(3, bytes: field(1, bytes: packed))
            }
            map += field(1, bytes: field(1, bytes: Array(key.utf8)) + field(2, bytes: value))
        }
        return field(1, bytes: map)
    }

    private static func field(_ number: Int, bytes: [UInt8]) -> [UInt8] {
        varint(UInt64(number << 3 | 2)) + varint(UInt64(bytes.count)) + bytes
    }

    private static func varint(_ value: UInt64) -> [UInt8] {
        var v = value
        var out: [UInt8] = []
        while v >= 0x80 {
            out.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
        return out
    }
}

/// Reads protobuf wire-format fields from a byte slice, never past its end.
struct ProtoCursor {
    private let bytes: ArraySlice<UInt8>
    private var p: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.p = bytes.startIndex
    }

    var atEnd: Bool { p >= bytes.endIndex }

    mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard p < bytes.endIndex, shift < 64 else { throw TrainingError(.invalidData, "protobuf: truncated or overlong varint") }
            let b = bytes[p]
            p += 1
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    /// The next (field number, wire type), or nil at the end.
    mutating func tag() throws -> (Int, Int)? {
        if atEnd { return nil }
        let t = try varint()
        let field = Int(truncatingIfNeeded: t >> 3)
        guard field > 0 else { throw TrainingError(.invalidData, "protobuf: field number 0") }
        return (field, Int(t & 7))
    }

    mutating func lengthDelimited() throws -> ArraySlice<UInt8> {
        let n = try varint()
        guard n <= UInt64(bytes.endIndex - p) else { throw TrainingError(.invalidData, "protobuf: length \(n) runs past the message") }
        let out = bytes[p..<(p + Int(n))]
        p += Int(n)
        return out
    }

    mutating func fixed32() throws -> UInt32 {
        guard bytes.endIndex - p >= 4 else { throw TrainingError(.invalidData, "protobuf: truncated fixed32") }
        let v = (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[p + $1]) << (8 * $1) }
        p += 4
        return v
    }

    mutating func skip(_ wire: Int) throws {
        switch wire {
        case 0: _ = try varint()
        case 1:
            guard bytes.endIndex - p >= 8 else { throw TrainingError(.invalidData, "protobuf: truncated fixed64") }
            p += 8
        case 2: _ = try lengthDelimited()
        case 5: _ = try fixed32()
        default: throw TrainingError(.invalidData, "protobuf: unsupported wire type \(wire)")
        }
    }
}
