/// A positive number shown with a prefix ("job-7", "node-3", "study-2"), carried in protobuf messages and stored as the
/// bare number (the `RawRepresentable` coding). The ids of the coordinator's tables conform.
public protocol NumberedID: RawRepresentable<UInt64>, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The text before the number ("job-").
    static var prefix: String { get }
    /// Wraps a number.
    init(rawValue: UInt64)
}

extension NumberedID {
    /// Wraps a number.
    public init(_ rawValue: UInt64) { self.init(rawValue: rawValue) }

    /// Parses "<prefix>7" or "7" (ASCII digits only, within UInt64); `nil` for anything else.
    public init?(parsing text: String) {
        let digits = text.hasPrefix(Self.prefix) ? text.dropFirst(Self.prefix.count) : Substring(text)
        guard !digits.isEmpty, digits.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
            let n = UInt64(digits)
        else { return nil }
        self.init(rawValue: n)
    }

    /// "job-7".
    public var description: String { "\(Self.prefix)\(rawValue)" }

    /// Orders by number.
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// A job's id: a positive integer shown as "job-<n>".
public struct JobID: NumberedID, ExpressibleByIntegerLiteral {
    /// "job-".
    public static let prefix = "job-"
    /// The number (as carried in protobuf messages).
    public var rawValue: UInt64

    /// Wraps a number.
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    /// Wraps a literal number.
    public init(integerLiteral value: UInt64) { self.rawValue = value }
}

/// A registered node's id: stable for the node's name across restarts, shown as "node-<n>".
public struct NodeID: NumberedID, ExpressibleByIntegerLiteral {
    /// "node-".
    public static let prefix = "node-"
    /// The number (as carried in protobuf messages).
    public var rawValue: UInt64

    /// Wraps a number.
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    /// Wraps a literal number.
    public init(integerLiteral value: UInt64) { self.rawValue = value }
}

/// A study's id: a positive integer shown as "study-<n>" (its own counter, apart from jobs').
public struct StudyID: NumberedID {
    /// "study-".
    public static let prefix = "study-"
    /// The number (as carried in protobuf messages).
    public var rawValue: UInt64

    /// Wraps a number.
    public init(rawValue: UInt64) { self.rawValue = rawValue }
}
