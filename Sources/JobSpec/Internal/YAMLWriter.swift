/// A tiny block-style YAML writer with deterministic key order, for rendering job specs.
struct YAMLWriter {
    private(set) var text = ""
    private var depth = 0

    /// Writes `key: value` with an already formatted scalar or flow value.
    mutating func field(_ key: String, _ value: String) {
        text += String(repeating: "  ", count: depth) + key + ": " + value + "\n"
    }

    /// Writes `key:` and the nested body one level deeper.
    mutating func section(_ key: String, _ body: (inout YAMLWriter) -> Void) {
        text += String(repeating: "  ", count: depth) + key + ":\n"
        depth += 1
        body(&self)
        depth -= 1
    }

    /// A double-quoted YAML string with JSON-style escapes.
    static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    out += "\\x" + String(repeating: "0", count: 2 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// A number that reads back to the same Double, in a form YAML 1.1 tools also see as a float ("1.0e-08").
    static func number(_ d: Double) -> String { floatText(d.description) }

    /// A Float that reads back to the same Float.
    static func number(_ f: Float) -> String { floatText(f.description) }

    /// `[1, 2, 3]`.
    static func list(_ values: [Int]) -> String { "[" + values.map(String.init).joined(separator: ", ") + "]" }

    /// `[2.0, 0.5]`.
    static func list(_ values: [Float]) -> String { "[" + values.map { number($0) }.joined(separator: ", ") + "]" }

    /// `["a", "b"]`.
    static func list(_ values: [String]) -> String { "[" + values.map(quoted).joined(separator: ", ") + "]" }

    private static func floatText(_ text: String) -> String {
        guard let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }), !text[..<e].contains(".") else { return text }
        return text[..<e] + ".0" + text[e...]
    }
}
