import JobSpec
import Yams

/// A YAML mapping of a study's `tuning:` section being read: checks keys against an allowed list (with a "did you
/// mean" hint) and reads typed, bounded values with their dotted paths.
struct TuningMapping {
    /// Dotted path of this mapping (`tuning.early_stopping`).
    let path: String
    /// Key → value, nulls dropped (a null value means "use the default").
    private var values: [String: Node] = [:]

    /// Reads a mapping node, refusing unknown and duplicate keys.
    init(_ node: Node, path: String, allowed: [String]) throws(SpecError) {
        self.path = path
        guard case .mapping(let mapping) = node else { throw SpecError("expected a mapping, got \(describe(node))", path: path) }
        var seen = Set<String>()
        for (keyNode, value) in mapping {
            guard case .scalar(let keyScalar) = keyNode else {
                throw SpecError("keys must be plain words, got \(describe(keyNode))", path: path)
            }
            let key = keyScalar.string
            let keyPath = path.isEmpty ? key : "\(path).\(key)"
            guard allowed.contains(key) else {
                var message = "unknown key"
                if let hint = closestMatch(to: key, in: allowed) { message += " (did you mean \"\(hint)\"?)" }
                throw SpecError(message, path: keyPath)
            }
            guard seen.insert(key).inserted else { throw SpecError("duplicate key", path: keyPath) }
            if isNull(value) { continue }
            if case .alias = value { throw SpecError("YAML aliases are not supported", path: keyPath) }
            values[key] = value
        }
    }

    /// The dotted path of a key in this mapping.
    func path(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// Whether the key is present with a non-null value.
    func has(_ key: String) -> Bool { values[key] != nil }

    /// The raw node of a key.
    func node(_ key: String) -> Node? { values[key] }

    /// A nested mapping.
    func mapping(_ key: String, allowed: [String]) throws(SpecError) -> TuningMapping? {
        guard let node = values[key] else { return nil }
        return try TuningMapping(node, path: path(key), allowed: allowed)
    }

    /// A scalar's text.
    func string(_ key: String) throws(SpecError) -> String? {
        guard let node = values[key] else { return nil }
        guard case .scalar(let s) = node else { throw SpecError("expected a word, got \(describe(node))", path: path(key)) }
        return s.string
    }

    /// An integer within `bound`.
    func int(_ key: String, within bound: TuningLimits.Bound) throws(SpecError) -> Int? {
        guard let node = values[key] else { return nil }
        let value = try parseInt(node, path: path(key))
        try bound.check(value, at: path(key))
        return value
    }

    /// A finite number.
    func double(_ key: String) throws(SpecError) -> Double? {
        guard let node = values[key] else { return nil }
        return try parseDouble(node, path: path(key))
    }

    /// One of a closed list of words, with a "did you mean" hint.
    func choice<E: RawRepresentable & CaseIterable>(_ key: String, as: E.Type = E.self) throws(SpecError) -> E? where E.RawValue == String {
        guard let text = try string(key) else { return nil }
        if let value = E(rawValue: text) { return value }
        let names = E.allCases.map(\.rawValue)
        var message = "unknown value \"\(text)\"; expected one of \(names.joined(separator: ", "))"
        if let hint = closestMatch(to: text, in: names) { message += " (did you mean \"\(hint)\"?)" }
        throw SpecError(message, path: path(key))
    }

    /// A list's items.
    func list(_ key: String) throws(SpecError) -> [Node]? {
        guard let node = values[key] else { return nil }
        guard case .sequence(let seq) = node else { throw SpecError("expected a list, got \(describe(node))", path: path(key)) }
        return Array(seq)
    }
}

/// Whether a node is YAML null (`~`, `null`, or empty).
func isNull(_ node: Node) -> Bool {
    guard case .scalar(let s) = node, s.style == .plain else { return false }
    return ["", "~", "null", "Null", "NULL"].contains(s.string)
}

/// A short description of a node for errors.
func describe(_ node: Node) -> String {
    switch node {
    case .scalar(let s): "\"\(s.string.prefix(64))\""
    case .mapping: "a mapping"
    case .sequence: "a list"
    case .alias: "an alias"
    }
}

/// An integer: a plain scalar that is a whole number of magnitude ≤ 2^53 (`1e3` is read as 1000).
func parseInt(_ node: Node, path: String) throws(SpecError) -> Int {
    guard case .scalar(let s) = node, s.style == .plain else { throw SpecError("expected an integer, got \(describe(node))", path: path) }
    if let i = Int(s.string) {
        guard abs(i) <= TuningLimits.maxInteger else {
            throw SpecError("magnitude must be ≤ \(TuningLimits.maxInteger) (the integer limit), got \(s.string)", path: path)
        }
        return i
    }
    guard let d = Double(s.string), d.isFinite, d == d.rounded() else {
        throw SpecError("expected an integer, got \(describe(node))", path: path)
    }
    guard abs(d) <= Double(TuningLimits.maxInteger), let i = Int(exactly: d) else {
        throw SpecError("magnitude must be ≤ \(TuningLimits.maxInteger) (the integer limit), got \(s.string)", path: path)
    }
    return i
}

/// A finite number of magnitude ≤ `TuningLimits.maxMagnitude`.
func parseDouble(_ node: Node, path: String) throws(SpecError) -> Double {
    guard case .scalar(let s) = node, s.style == .plain, let d = Double(s.string), d.isFinite else {
        throw SpecError("expected a finite number, got \(describe(node))", path: path)
    }
    guard abs(d) <= TuningLimits.maxMagnitude else {
        throw SpecError("magnitude must be ≤ \(TuningLimits.maxMagnitude) (the value limit), got \(s.string)", path: path)
    }
    return d
}
