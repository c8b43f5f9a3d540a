/// Element type of a tensor, as carried on the wire and stored in shards.
public enum DType: UInt8, Sendable, Hashable, CaseIterable, Codable {
    /// IEEE 754 binary32.
    case f32 = 1
    /// IEEE 754 binary16.
    case f16 = 2
    /// bfloat16 (the upper half of a binary32).
    case bf16 = 3
    /// IEEE 754 binary64.
    case f64 = 4
    /// Signed 32-bit integer.
    case i32 = 5
    /// Signed 64-bit integer.
    case i64 = 6
    /// Unsigned 8-bit integer.
    case u8 = 7

    /// Bytes per element.
    public var byteWidth: Int {
        switch self {
        case .u8: 1
        case .f16, .bf16: 2
        case .f32, .i32: 4
        case .f64, .i64: 8
        }
    }

    /// The lower-case name used in job specs, docs and safetensors-like headers ("f32", "bf16" …).
    public var name: String {
        switch self {
        case .f32: "f32"
        case .f16: "f16"
        case .bf16: "bf16"
        case .f64: "f64"
        case .i32: "i32"
        case .i64: "i64"
        case .u8: "u8"
        }
    }

    /// Parses a dtype name as written by `name` (also accepts "float32", "float16", "bfloat16", "float64", "int32", "int64", "uint8").
    public init?(name: String) {
        switch name.lowercased() {
        case "f32", "float32", "float": self = .f32
        case "f16", "float16", "half": self = .f16
        case "bf16", "bfloat16": self = .bf16
        case "f64", "float64", "double": self = .f64
        case "i32", "int32": self = .i32
        case "i64", "int64": self = .i64
        case "u8", "uint8": self = .u8
        default: return nil
        }
    }
}
