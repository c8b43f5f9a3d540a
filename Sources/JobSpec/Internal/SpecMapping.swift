import Yams

/// A YAML mapping of a job spec being read: checks keys against an allowed list and reads typed values with paths.
struct SpecMapping {
    /// Dotted path of this mapping ("" for the document root).
    let path: String
    /// Key → value, nulls dropped (a null value means "use the default").
    private var values: [String: Node] = [:]
    /// Keys present with a non-null value, in document order.
    private(set) var keys: [String] = []

    /// Reads a mapping node, rejecting unknown and duplicate keys.
    init(_ node: Node, path: String, allowed: [String]) throws(SpecError) {
        self.path = path
        guard case .mapping(let mapping) = node else {
            throw .spec(path.isEmpty ? "job spec" : path, "expected a mapping, got \(describe(node))")
        }
        var seen = Set<String>()
        for (keyNode, value) in mapping {
            guard case .scalar(let keyScalar) = keyNode else {
                throw .spec(path, "keys must be plain words, got \(describe(keyNode))")
            }
            let key = keyScalar.string
            let keyPath = path.isEmpty ? key : "\(path).\(key)"
            guard allowed.contains(key) else {
                var message = "unknown key"
                if let hint = closestMatch(to: key, in: allowed) { message += " (did you mean \"\(hint)\"?)" }
                throw .spec(keyPath, message)
            }
            guard seen.insert(key).inserted else { throw .spec(keyPath, "duplicate key") }
            if isNull(value) { continue }
            if case .alias = value { throw .spec(keyPath, "YAML aliases are not supported") }
            values[key] = value
            keys.append(key)
        }
    }

    /// The dotted path of a key in this mapping.
    func path(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// Whether the key is present with a non-null value.
    func has(_ key: String) -> Bool { values[key] != nil }

    /// The raw node of a key.
    func node(_ key: String) -> Node? { values[key] }

    /// A nested mapping.
    func mapping(_ key: String, allowed: [String]) throws(SpecError) -> SpecMapping? {
        guard let node = values[key] else { return nil }
        return try SpecMapping(node, path: path(key), allowed: allowed)
    }

    /// A string value (any scalar; numbers are taken as their text).
    func string(_ key: String) throws(SpecError) -> String? {
        guard let node = values[key] else { return nil }
        return try scalarString(node, path: path(key), expected: "a string")
    }

    /// An integer value.
    func int(_ key: String) throws(SpecError) -> Int? {
        guard let node = values[key] else { return nil }
        return try parseInt(node, path: path(key))
    }

    /// A finite number (integers are accepted).
    func double(_ key: String) throws(SpecError) -> Double? {
        guard let node = values[key] else { return nil }
        return try parseDouble(node, path: path(key))
    }

    /// A boolean (`true` or `false`).
    func bool(_ key: String) throws(SpecError) -> Bool? {
        guard let node = values[key] else { return nil }
        let p = path(key)
        guard case .scalar(let s) = node, s.style == .plain else {
            throw .spec(p, "expected true or false, got \(describe(node))")
        }
        switch s.string.lowercased() {
        case "true": return true
        case "false": return false
        default: throw .spec(p, "expected true or false, got \(describe(node))")
        }
    }

    /// One of a spec word's names, with a "did you mean" hint.
    func choice<E: SpecWord>(_ key: String, as type: E.Type = E.self) throws(SpecError) -> E? {
        guard let node = values[key] else { return nil }
        let p = path(key)
        let text = try scalarString(node, path: p, expected: "one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        return try E.named(text, at: p)
    }

    /// A list of integers.
    func intList(_ key: String) throws(SpecError) -> [Int]? {
        guard let items = try list(key) else { return nil }
        var out: [Int] = []
        for (i, item) in items.enumerated() { out.append(try parseInt(item, path: "\(path(key))[\(i)]")) }
        return out
    }

    /// A list of numbers as Float.
    func floatList(_ key: String) throws(SpecError) -> [Float]? {
        guard let items = try list(key) else { return nil }
        var out: [Float] = []
        for (i, item) in items.enumerated() {
            let p = "\(path(key))[\(i)]"
            let v = try parseDouble(item, path: p)
            let f = Float(v)
            guard f.isFinite else { throw .spec(p, "\(v) does not fit a 32-bit float") }
            out.append(f)
        }
        return out
    }

    /// A list of strings.
    func stringList(_ key: String) throws(SpecError) -> [String]? {
        guard let items = try list(key) else { return nil }
        var out: [String] = []
        for (i, item) in items.enumerated() {
            out.append(try scalarString(item, path: "\(path(key))[\(i)]", expected: "a string"))
        }
        return out
    }

    private func list(_ key: String) throws(SpecError) -> [Node]? {
        guard let node = values[key] else { return nil }
        guard case .sequence(let seq) = node else {
            throw .spec(path(key), "expected a list, got \(describe(node))")
        }
        return Array(seq)
    }
}

/// Whether a node is YAML null (`~`, `null`, or nothing).
private func isNull(_ node: Node) -> Bool {
    guard case .scalar(let s) = node, s.style == .plain else { return false }
    return ["", "~", "null", "Null", "NULL"].contains(s.string)
}

private func scalarString(_ node: Node, path: String, expected: String) throws(SpecError) -> String {
    guard case .scalar(let s) = node else { throw .spec(path, "expected \(expected), got \(describe(node))") }
    return s.string
}

private func parseInt(_ node: Node, path: String) throws(SpecError) -> Int {
    guard case .scalar(let s) = node, s.style == .plain, let v = Int(s.string) else {
        throw .spec(path, "expected an integer, got \(describe(node))")
    }
    return v
}

private func parseDouble(_ node: Node, path: String) throws(SpecError) -> Double {
    guard case .scalar(let s) = node, s.style == .plain, looksNumeric(s.string), let v = Double(s.string) else {
        throw .spec(path, "expected a number, got \(describe(node))")
    }
    guard v.isFinite else { throw .spec(path, "expected a finite number, got \(s.string)") }
    return v
}

/// Digits, sign, dot and exponent only (rejects Swift's "nan", "inf", hex floats).
private func looksNumeric(_ text: String) -> Bool {
    !text.isEmpty && text.unicodeScalars.allSatisfy { "0123456789+-.eE".unicodeScalars.contains($0) }
}

/// How a node is shown in an error: `"fast"` for text, `1.5` for plain numbers and booleans, "a list", "a mapping".
func describe(_ node: Node) -> String {
    switch node {
    case .scalar(let s):
        if s.style == .plain, looksNumeric(s.string) || ["true", "false"].contains(s.string.lowercased()) {
            return s.string
        }
        return "\"\(s.string)\""
    case .mapping: return "a mapping"
    case .sequence: return "a list"
    case .alias: return "an alias"
    }
}
