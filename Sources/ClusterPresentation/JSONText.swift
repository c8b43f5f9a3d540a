import Foundation

/// The text of `--json` output: pretty-printed with two-space indents, keys sorted, slashes escaped — the
/// format clusterctl has always printed.
public enum JSONText {
    /// Encodes a value; "{}" if it cannot be encoded (summary types always can).
    public static func render(_ value: some Encodable) -> String {
        encode(value, [.prettyPrinted, .sortedKeys])
    }

    /// Encodes a value on one line, keys sorted (`jobs --watch -o json` prints one object a line).
    public static func renderLine(_ value: some Encodable) -> String {
        encode(value, [.sortedKeys])
    }

    private static func encode(_ value: some Encodable, _ formatting: JSONEncoder.OutputFormatting) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = formatting
        guard let data = try? encoder.encode(value), let text = String(data: data, encoding: .utf8) else { return "{}" }
        return text
    }
}
