/// A number JSON can carry: NaN and the infinities (which it cannot) are written as `null`, and `null`
/// reads back as NaN.
@propertyWrapper
public struct Finite: Codable, Equatable, Sendable {
    /// The number.
    public var wrappedValue: Double

    /// Wraps a number.
    public init(wrappedValue: Double) { self.wrappedValue = wrappedValue }

    /// Reads a number, or NaN for `null`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        wrappedValue = container.decodeNil() ? .nan : try container.decode(Double.self)
    }

    /// Writes the number, or `null` when it is not finite.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if wrappedValue.isFinite { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }

    /// Equal when both are the same number or both are not finite.
    public static func == (a: Finite, b: Finite) -> Bool {
        a.wrappedValue == b.wrappedValue || (!a.wrappedValue.isFinite && !b.wrappedValue.isFinite)
    }
}

/// An optional value that is always written: `null` when absent (never left out), for the keys of the
/// `--json` contract that are present with a null value. A number that is not finite is `null` too.
@propertyWrapper
public struct Nullable<Value: Codable & Equatable & Sendable>: Codable, Equatable, Sendable {
    /// The value, nil for `null`.
    public var wrappedValue: Value?

    /// Wraps a value.
    public init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    /// Reads the value, or nil for `null`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        wrappedValue = container.decodeNil() ? nil : try container.decode(Value.self)
    }

    /// Writes the value, or `null` when there is none or it is a number that is not finite.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let value = wrappedValue, (value as? Double)?.isFinite ?? true {
            try container.encode(value)
        } else {
            try container.encodeNil()
        }
    }
}

/// Float values written as JSON numbers with the digits of their `Double` value (0.1 as 0.10000000149011612,
/// as `--json` always printed them); NaN and the infinities are `null`.
@propertyWrapper
public struct FiniteFloats: Codable, Equatable, Sendable {
    /// The values.
    public var wrappedValue: [Float]

    /// Wraps values.
    public init(wrappedValue: [Float]) { self.wrappedValue = wrappedValue }

    /// Reads numbers, NaN for `null`.
    public init(from decoder: any Decoder) throws {
        wrappedValue = try decoder.singleValueContainer().decode([Finite].self).map { Float($0.wrappedValue) }
    }

    /// Writes each value as a `Double`, or `null` when it is not finite.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(wrappedValue.map { Finite(wrappedValue: Double($0)) })
    }

    /// Equal when the values are, counting non-finite values as equal.
    public static func == (a: FiniteFloats, b: FiniteFloats) -> Bool {
        a.wrappedValue.map { Finite(wrappedValue: Double($0)) } == b.wrappedValue.map { Finite(wrappedValue: Double($0)) }
    }
}
