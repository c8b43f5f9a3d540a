import JobSpec

/// What `validate FILE` and `submit --dry-run` print: whether the spec passes the parser the coordinator uses,
/// the first error with its key path, and the resolved spec (every default filled in).
public struct SpecCheck: Codable, Equatable, Sendable {
    /// One rule a spec breaks.
    public struct Problem: Codable, Equatable, Sendable {
        /// Dotted key path of the offending field (`optimizer.learning_rate`), "" for the whole document.
        public var path: String
        /// A sentence naming the rule or the bound.
        public var message: String
    }

    /// The file as given ("-" for standard input).
    public var file: String
    /// Whether the spec is valid.
    public var valid: Bool
    /// The spec's name, null when it is invalid.
    @Nullable public var name: String?
    /// What is wrong (the parser stops at the first problem); empty when valid.
    public var errors: [Problem]
    /// The resolved spec as YAML, null when it is invalid.
    @Nullable public var resolved: String?

    /// Parses `yaml` from `file` as the coordinator does.
    public init(file: String, yaml: String) {
        self.file = file
        do {
            let spec = try JobSpecParser.parse(yaml: yaml)
            valid = true
            name = spec.name
            errors = []
            resolved = spec.yaml
        } catch {
            valid = false
            name = nil
            errors = [Problem(path: error.path, message: error.message)]
            resolved = nil
        }
    }

    /// "job.yaml: valid (name linear-hello)" or "job.yaml: optimizer.learning_rate: must be > 0, got -1".
    public var text: String {
        if valid { return "\(file == "-" ? "standard input" : file): valid (name \(name ?? ""))" }
        return errors.map { "\(file == "-" ? "standard input" : file): \($0.path.isEmpty ? "" : $0.path + ": ")\($0.message)" }
            .joined(separator: "\n")
    }

    enum CodingKeys: String, CodingKey {
        case file, valid, name, errors, resolved
    }
}

extension SpecCheck: NamedOutput {
    /// The spec's name when it is valid.
    public var outputNames: [String] { name.map { [$0] } ?? [] }
}
