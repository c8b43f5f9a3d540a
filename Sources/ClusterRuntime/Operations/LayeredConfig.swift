import Foundation
import Yams

/// A daemon's settings: `Codable` with defaults (its `init()`), snake_case keys, and `validate()`.
public protocol DaemonSettings: Codable, Sendable {
    /// The coding keys; their raw values are the YAML keys, the `TESSERA_*` variables and the flags.
    associatedtype Keys: CodingKey & CaseIterable & RawRepresentable<String>
    /// The defaults.
    init()
    /// Groups of keys that exclude each other: a higher layer setting one clears the others from lower layers.
    static var exclusiveKeys: [[String]] { get }
    /// Checks every value; throws a `ConfigError` naming the key.
    func validate() throws(ConfigError)
}

/// Loads settings by precedence: flags > `TESSERA_*` environment > YAML file > defaults.
///
/// Every layer speaks the same key names: `data_dir` in the file is `TESSERA_DATA_DIR` in the
/// environment and `--data-dir` on the command line.
public enum LayeredConfig {
    /// The environment variable for a key (`data_dir` → `TESSERA_DATA_DIR`).
    public static func environmentName(_ key: String) -> String { "TESSERA_" + key.uppercased() }

    /// The flag for a key (`data_dir` → `--data-dir`).
    public static func flagName(_ key: String) -> String { "--" + key.replacingOccurrences(of: "_", with: "-") }

    /// Merges the layers, decodes and validates. `flags` maps keys to the values given on the command line.
    public static func load<S: DaemonSettings>(
        _ type: S.Type, file: String?, environment: [String: String], flags: [String: String]
    ) throws(ConfigError) -> S {
        let known = Set(S.Keys.allCases.map(\.rawValue))
        var merged: [String: (value: Node, source: String)] = [:]
        var defaultValues: [String: (value: Node, source: String)] = [:]
        func set(_ key: String, _ value: Node, _ source: String) {
            for group in S.exclusiveKeys where group.contains(key) {
                for other in group where other != key { merged[other] = defaultValues[other] }
            }
            merged[key] = (value, source)
        }
        // Defaults (optional keys are absent).
        let defaults: Node
        do {
            defaults = try Yams.compose(yaml: YAMLEncoder().encode(S())) ?? Node([(Node, Node)]())
        } catch {
            throw ConfigError(key: "-", "cannot encode the defaults: \(error)")
        }
        for (key, value) in defaults.mapping ?? [:] {
            if let name = key.string { merged[name] = (value, "defaults") }
        }
        defaultValues = merged
        // File.
        if let file {
            for (key, value) in try fileLayer(file, known: known) { set(key, value, "file \(file)") }
        }
        // Environment, then flags.
        for key in S.Keys.allCases.map(\.rawValue) {
            let name = environmentName(key)
            if let text = environment[name] { set(key, Node(text), name) }
        }
        for (key, text) in flags.sorted(by: { $0.key < $1.key }) {
            guard known.contains(key) else { throw ConfigError(key: key, "is not a setting of this daemon") }
            set(key, Node(text), "flag \(flagName(key))")
        }
        let node = Node(merged.sorted { $0.key < $1.key }.map { (Node($0.key), $0.value.value) })
        let settings: S
        do {
            settings = try YAMLDecoder().decode(S.self, from: node)
        } catch let error as DecodingError {
            let (key, message) = describe(error)
            throw ConfigError(key: key, message, source: merged[key]?.source)
        } catch {
            throw ConfigError(key: "-", "\(error)")
        }
        do {
            try settings.validate()
        } catch var error {
            error.source = error.source ?? merged[error.key]?.source
            throw error
        }
        return settings
    }

    /// Reads a YAML file as a mapping of known keys.
    static func fileLayer(_ path: String, known: Set<String>) throws(ConfigError) -> [(String, Node)] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(key: "config", "cannot read \(path): \(error.localizedDescription)")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw ConfigError(key: "config", "\(path) is not valid YAML: \(error)")
        }
        guard let root else { return [] }
        guard let mapping = root.mapping else {
            throw ConfigError(key: "config", "\(path) must be a mapping of keys to values")
        }
        var pairs: [(String, Node)] = []
        for (key, value) in mapping {
            guard let name = key.string, known.contains(name) else {
                let suggestion = known.sorted().joined(separator: ", ")
                throw ConfigError(key: key.string ?? "?", "unknown key in \(path); known keys: \(suggestion)")
            }
            if value.scalar.map({ $0.string == "~" || $0.string == "null" || $0.string.isEmpty }) == true { continue }
            pairs.append((name, value))
        }
        return pairs
    }

    private static func describe(_ error: DecodingError) -> (String, String) {
        switch error {
        case .typeMismatch(let type, let context):
            return (key(context), "expected \(typeName(type))")
        case .valueNotFound(let type, let context):
            return (key(context), "expected \(typeName(type)), found nothing")
        case .keyNotFound(let missing, let context):
            return (missing.stringValue, "is required \(context.debugDescription)")
        case .dataCorrupted(let context):
            return (key(context), "expected a value of the right type (\(context.debugDescription))")
        @unknown default:
            return ("-", "\(error)")
        }
    }

    private static func key(_ context: DecodingError.Context) -> String {
        context.codingPath.first?.stringValue ?? "-"
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Double.Type, is Float.Type: "a number"
        case is Int.Type: "a whole number"
        case is Bool.Type: "true or false"
        case is String.Type: "a string"
        default: "\(type)"
        }
    }
}
