/// One value of a tuned parameter in a trial's assignment.
public enum ParamValue: Sendable, Hashable, Codable, CustomStringConvertible {
    /// A real number (`type: double`, or a discrete value on a number key).
    case double(Double)
    /// An integer (`type: integer`, or a discrete value on an integer key).
    case int(Int)
    /// A categorical value, written into the job spec as a plain YAML scalar.
    case string(String)

    /// The value as YAML scalar text.
    public var description: String {
        switch self {
        case .double(let d): Self.text(d)
        case .int(let i): String(i)
        case .string(let s): s
        }
    }

    /// The value as a number (nil for categorical values).
    public var number: Double? {
        switch self {
        case .double(let d): d
        case .int(let i): Double(i)
        case .string: nil
        }
    }

    /// Shortest text that reads back as the same Double.
    static func text(_ d: Double) -> String {
        if d == d.rounded(), abs(d) < 1e15 { return String(Int(d)) }
        return "\(d)"
    }
}
