/// A job's id: a positive integer shown as "job-<n>".
public struct JobID: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible,
    ExpressibleByIntegerLiteral
{
    /// The number (as carried in protobuf messages).
    public var rawValue: UInt64

    /// Wraps a number.
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    /// Wraps a number.
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    /// Wraps a literal number.
    public init(integerLiteral value: UInt64) { self.rawValue = value }

    /// Parses "job-7" or "7"; `nil` for anything else.
    public init?(parsing text: String) {
        let digits = text.hasPrefix("job-") ? String(text.dropFirst(4)) : text
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let n = UInt64(digits) else { return nil }
        self.rawValue = n
    }

    /// "job-7".
    public var description: String { "job-\(rawValue)" }

    /// Orders by number.
    public static func < (a: JobID, b: JobID) -> Bool { a.rawValue < b.rawValue }

    /// Decodes a bare number.
    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(UInt64.self) }
    /// Encodes a bare number.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}

/// A registered node's id: stable for the node's name across restarts, shown as "node-<n>".
public struct NodeID: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible,
    ExpressibleByIntegerLiteral
{
    /// The number (as carried in protobuf messages).
    public var rawValue: UInt64

    /// Wraps a number.
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    /// Wraps a number.
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    /// Wraps a literal number.
    public init(integerLiteral value: UInt64) { self.rawValue = value }

    /// "node-3".
    public var description: String { "node-\(rawValue)" }

    /// Orders by number.
    public static func < (a: NodeID, b: NodeID) -> Bool { a.rawValue < b.rawValue }

    /// Decodes a bare number.
    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(UInt64.self) }
    /// Encodes a bare number.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}
