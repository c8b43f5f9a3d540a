import Foundation
import Yams

/// The text of `-o yaml`: the same Codable summaries as `--json`, with the same keys, order (sorted), nulls and
/// number digits — the JSON is read back as a YAML node tree and printed in block style. Strings YAML would read
/// as another type (`'7'`, `'null'`, `'yes'`) are quoted, multi-line ones are `|` blocks, and a float carries a
/// dot (`1.0e-08`) so YAML 1.1 readers such as PyYAML read it as a number.
public enum YAMLText {
    /// Encodes a value; "{}" if it cannot be encoded (summary types always can).
    public static func render(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let json = try? encoder.encode(value), let text = String(data: json, encoding: .utf8),
            let node = try? Yams.compose(yaml: text),
            let yaml = try? Yams.serialize(node: block(node), indent: 2, width: -1, allowUnicode: true)
        else { return "{}" }
        return yaml.hasSuffix("\n") ? String(yaml.dropLast()) : yaml
    }

    /// The node in block style: JSON strings (double-quoted) become strings quoted only where needed, numbers get
    /// YAML 1.1 spelling.
    static func block(_ node: Node) -> Node {
        switch node {
        case .scalar(let scalar):
            guard scalar.style == .doubleQuoted || scalar.style == .singleQuoted else {
                return .scalar(.init(yaml11Number(scalar.string), scalar.tag))
            }
            if scalar.string.contains("\n") { return .scalar(.init(scalar.string, Tag(.str), .literal)) }
            return .scalar(scalar.string.represented())
        case .mapping(let mapping):
            return .mapping(.init(mapping.map { (block($0.key), block($0.value)) }, mapping.tag, .block))
        case .sequence(let sequence):
            return .sequence(.init(sequence.map(block), sequence.tag, .block))
        case .alias:
            return node
        }
    }

    /// "1e-08" → "1.0e-08", "1e+20" → "1.0e+20", "2e5" → "2.0e+5"; other text as it is.
    public static func yaml11Number(_ text: String) -> String {
        guard let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }), text.first?.isLetter == false else { return text }
        var mantissa = String(text[..<e])
        var exponent = String(text[text.index(after: e)...])
        if !mantissa.contains(".") { mantissa += ".0" }
        if let first = exponent.first, first != "+" && first != "-" { exponent = "+" + exponent }
        return mantissa + "e" + exponent
    }
}
