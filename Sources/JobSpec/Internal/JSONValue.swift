/// A JSON document with its object keys in a fixed order, printed the same way every time (the committed schema is
/// compared byte for byte with what the module generates).
/// Public so a module whose documents extend a job spec (a study) builds its schema from the job spec's.
public indirect enum JSONValue: Sendable {
    /// Members in the order printed.
    case object([(String, JSONValue)])
    /// Items in order.
    case array([JSONValue])
    /// A string.
    case string(String)
    /// An integer.
    case int(Int)
    /// A number (printed without a fraction when it is whole).
    case double(Double)
    /// `true` or `false`.
    case bool(Bool)
    /// `null`.
    case null

    /// Pretty-printed with two-space indents; arrays of scalars stay on one line.
    public func printed(indent: String = "") -> String {
        switch self {
        case .object(let members):
            if members.isEmpty { return "{}" }
            let inner = indent + "  "
            let lines = members.map { "\(inner)\(Self.quote($0.0)): \($0.1.printed(indent: inner))" }
            return "{\n" + lines.joined(separator: ",\n") + "\n\(indent)}"
        case .array(let items):
            if items.allSatisfy(\.isScalar) { return "[" + items.map { $0.printed() }.joined(separator: ", ") + "]" }
            let inner = indent + "  "
            return "[\n" + items.map { inner + $0.printed(indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
        case .string(let s): return Self.quote(s)
        case .int(let i): return String(i)
        case .double(let d):
            if abs(d) < 1e15, let whole = Int(exactly: d) { return String(whole) }
            return "\(d)"
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        }
    }

    private var isScalar: Bool {
        switch self {
        case .object, .array: false
        default: true
        }
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped, everything else as UTF-8.
    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
