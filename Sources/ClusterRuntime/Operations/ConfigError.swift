/// A configuration value that cannot be used: names the key, what is wrong, and where it came from.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    /// The key, as written in the YAML file (`data_dir`).
    public var key: String
    /// What is wrong, as a sentence.
    public var message: String
    /// Where the value came from ("flag --listen", "TESSERA_LISTEN", "file psd.yaml"), when known.
    public var source: String?

    /// Creates the error.
    public init(key: String, _ message: String, source: String? = nil) {
        self.key = key
        self.message = message
        self.source = source
    }

    /// One line a person can act on.
    public var description: String {
        "config key '\(key)'\(source.map { " (from \($0))" } ?? ""): \(message)"
    }
}
