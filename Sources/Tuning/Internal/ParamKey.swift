import JobSpec

/// A tuned parameter's job spec key, split: `model.hidden[0]` (or `model.hidden.0`) is path ["model", "hidden"] with
/// index 0; `text` is the `[0]` form.
struct ParamKey: Sendable, Hashable {
    /// The mapping keys from the document root to the field.
    let path: [String]
    /// The list entry, for keys written `key[i]`.
    let index: Int?
    /// What the field (or the list entry) holds.
    let kind: JobKeyKind

    /// Longest key text read.
    static let maxBytes = 256

    /// Reads `text`, checking that it names a tunable job spec field; errors at `at` (`tuning.params[1].key`).
    init(_ text: String, at: String) throws(SpecError) {
        guard !text.isEmpty, text.utf8.count <= Self.maxBytes else {
            throw SpecError("must be 1…\(Self.maxBytes) bytes (the key-length limit), got \(text.utf8.count)", path: at)
        }
        var dotted = text
        var index: Int?
        if text.hasSuffix("]"), let open = text.lastIndex(of: "[") {
            dotted = String(text[..<open])
            let digits = text[text.index(after: open)..<text.index(before: text.endIndex)]
            guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let i = Int(digits), i >= 0, i < JobSpecLimits.layers.upper else {
                throw SpecError("\"\(text)\": the list index must be a whole number below \(JobSpecLimits.layers.upper)", path: at)
            }
            index = i
        } else if let dot = text.lastIndex(of: "."), text[text.index(after: dot)...].allSatisfy(\.isASCII),
            let i = Int(text[text.index(after: dot)...]), i >= 0, i < JobSpecLimits.layers.upper
        {
            // `model.hidden.0`, the form that needs no quotes in a YAML flow mapping.
            dotted = String(text[..<dot])
            index = i
        }
        guard let kind = JobSpecKeys.all[dotted] else {
            var message = "\"\(dotted)\" is not a job spec key"
            if let hint = closestMatch(to: dotted, in: JobSpecKeys.names) { message += " (did you mean \"\(hint)\"?)" }
            throw SpecError(message, path: at)
        }
        switch (kind, index) {
        case (.fixed, _):
            throw SpecError("\"\(dotted)\" cannot be tuned (the study sets each trial's name)", path: at)
        case (.section, _):
            throw SpecError("\"\(dotted)\" is a section; tune one of its keys", path: at)
        case (.list(let item), .some):
            self.kind = item
        case (.list, nil):
            throw SpecError("\"\(dotted)\" is a list; tune one entry, e.g. \"\(dotted)[0]\"", path: at)
        case (_, .some):
            throw SpecError("\"\(dotted)\" is not a list; drop the index", path: at)
        case (_, nil):
            self.kind = kind
        }
        self.path = dotted.split(separator: ".").map(String.init)
        self.index = index
    }

    /// The key as written.
    var text: String { path.joined(separator: ".") + (index.map { "[\($0)]" } ?? "") }
}
