import Foundation
import JobSpec

/// What a job spec key holds, as far as tuning cares: read from the JSON Schema the JobSpec module generates, so the
/// keys a study may tune are exactly the keys a job spec has.
enum JobKeyKind: Sendable, Hashable {
    /// A real number.
    case number
    /// An integer.
    case integer
    /// A word, a string or a boolean: any scalar.
    case word
    /// A list whose entries are `item` (tuned one entry at a time, `key[i]`).
    indirect case list(item: JobKeyKind)
    /// A nested mapping (not tunable itself).
    case section
    /// A key the study sets itself or that cannot vary (`name`, `apiVersion`, `kind`).
    case fixed
}

/// Every dotted job spec key with its kind, from `JobSpec.jsonSchema`.
enum JobSpecKeys {
    /// Dotted key → kind (`optimizer.learning_rate` → number).
    static let all: [String: JobKeyKind] = {
        guard let data = JobSpec.jsonSchema.data(using: .utf8),
            let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return [:] }
        var table: [String: JobKeyKind] = [:]
        walk(root, prefix: "", into: &table)
        return table
    }()

    /// The keys in sorted order (for "did you mean" hints).
    static let names: [String] = all.keys.sorted()

    /// The top-level keys of a job spec.
    static let topLevel: [String] = names.filter { !$0.contains(".") }

    private static func walk(_ object: [String: Any], prefix: String, into table: inout [String: JobKeyKind]) {
        guard let properties = object["properties"] as? [String: Any] else { return }
        for (key, value) in properties {
            guard let property = value as? [String: Any] else { continue }
            let dotted = prefix.isEmpty ? key : "\(prefix).\(key)"
            let kind = kindOf(property)
            table[dotted] = ["name", "apiVersion", "kind"].contains(dotted) ? .fixed : kind
            if kind == .section { walk(property, prefix: dotted, into: &table) }
        }
    }

    private static func kindOf(_ property: [String: Any]) -> JobKeyKind {
        let types: [String]
        if let one = property["type"] as? String {
            types = [one]
        } else if let many = property["type"] as? [String] {
            types = many
        } else {
            types = []
        }
        if types.contains("object") { return .section }
        if types.contains("array") {
            let item = (property["items"] as? [String: Any]).map(kindOf) ?? .word
            return .list(item: item)
        }
        if types.contains("integer") { return .integer }
        if types.contains("number") { return .number }
        return .word
    }
}
