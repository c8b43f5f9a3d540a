import ClusterRuntime
import Foundation
import Yams

extension ClientConfig {
    /// Top-level keys.
    static let topKeys = ["current_context", "contexts"]
    /// Keys of a context.
    static let contextKeys = ["name", "coordinator", "token_file", "tls_ca", "tls_cert", "tls_key"]

    /// Parses the text of a config file; every value is checked (type, length, characters, HOST:PORT) and an error
    /// names `file` and the key. Relative paths are resolved against `file`'s folder, `~/` against `home`.
    public static func parse(_ text: String, file: String, home: String?) throws(ClientConfigError) -> ClientConfig {
        guard text.utf8.count <= maxBytes else {
            throw ClientConfigError(file: file, key: "", "larger than \(maxBytes) bytes (the client config limit)")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw ClientConfigError(file: file, key: "", "not valid YAML: \(error)")
        }
        guard let root, root.null == nil else { return ClientConfig(file: file, currentContext: nil, contexts: []) }
        let top = try mapping(root, key: "", allowed: topKeys, file: file)
        var config = ClientConfig(file: file, currentContext: nil, contexts: [])
        if let value = top["current_context"] {
            config.currentContext = try name(value, key: "current_context", file: file)
        }
        if let list = top["contexts"], list.null == nil {
            guard let items = list.sequence else { throw ClientConfigError(file: file, key: "contexts", "must be a list of contexts") }
            guard items.count <= maxContexts else {
                throw ClientConfigError(file: file, key: "contexts", "has \(items.count) entries; at most \(maxContexts) (the context-count limit)")
            }
            let folder = (file as NSString).deletingLastPathComponent
            for (index, item) in items.enumerated() {
                let key = "contexts[\(index)]"
                let fields = try mapping(item, key: key, allowed: contextKeys, file: file)
                guard let nameNode = fields["name"] else { throw ClientConfigError(file: file, key: "\(key).name", "is required") }
                var context = Context(name: try name(nameNode, key: "\(key).name", file: file))
                guard !config.contexts.contains(where: { $0.name == context.name }) else {
                    throw ClientConfigError(file: file, key: "\(key).name", "'\(context.name)' names two contexts")
                }
                if let text = try string(fields["coordinator"], key: "\(key).coordinator", file: file) {
                    do {
                        _ = try HostPort(parsing: text)
                    } catch {
                        throw ClientConfigError(file: file, key: "\(key).coordinator", "'\(text)' is not HOST:PORT")
                    }
                    context.coordinator = text
                }
                func path(_ field: String) throws(ClientConfigError) -> String? {
                    try string(fields[field], key: "\(key).\(field)", file: file).map { resolvePath($0, folder: folder, home: home) }
                }
                context.tokenFile = try path("token_file")
                context.tlsCA = try path("tls_ca")
                context.tlsCert = try path("tls_cert")
                context.tlsKey = try path("tls_key")
                if (context.tlsCert == nil) != (context.tlsKey == nil) {
                    throw ClientConfigError(file: file, key: "\(key).\(context.tlsCert == nil ? "tls_cert" : "tls_key")",
                                            "tls_cert and tls_key go together: give both or neither")
                }
                config.contexts.append(context)
            }
        }
        return config
    }

    /// A mapping's values by key; refuses other node kinds, keys outside `allowed` and repeated keys.
    private static func mapping(_ node: Node, key: String, allowed: [String], file: String) throws(ClientConfigError) -> [String: Node] {
        guard let mapping = node.mapping else {
            throw ClientConfigError(file: file, key: key, key.isEmpty ? "must be a mapping (current_context, contexts)" : "must be a mapping of \(allowed.joined(separator: ", "))")
        }
        var fields: [String: Node] = [:]
        for (name, value) in mapping {
            let text = name.scalar?.string ?? "?"
            let path = key.isEmpty ? text : "\(key).\(text)"
            guard allowed.contains(text) else {
                throw ClientConfigError(file: file, key: String(path.prefix(200)), unknownKeyMessage(text, allowed: allowed))
            }
            guard fields[text] == nil else { throw ClientConfigError(file: file, key: path, "is given twice") }
            fields[text] = value
        }
        return fields
    }

    private static func unknownKeyMessage(_ key: String, allowed: [String]) -> String {
        if key == "tls_server_name" || key == "server_name" {
            return "is not supported: Tessera checks a peer's certificate against the CA, not its host name (docs/security.md)"
        }
        let snake = key.replacingOccurrences(of: "-", with: "_")
        if snake != key, allowed.contains(snake) { return "unknown key; did you mean \(snake)?" }
        return "unknown key; known keys: \(allowed.joined(separator: ", "))"
    }

    /// A string scalar of printable characters (no control characters), at most `maxPathBytes`; nil for absent/null.
    private static func string(_ node: Node?, key: String, file: String) throws(ClientConfigError) -> String? {
        guard let node, node.null == nil else { return nil }
        guard let scalar = node.scalar else { throw ClientConfigError(file: file, key: key, "must be a string") }
        let text = scalar.string
        guard !text.isEmpty else { return nil }
        guard text.utf8.count <= maxPathBytes else {
            throw ClientConfigError(file: file, key: key, "is longer than \(maxPathBytes) bytes")
        }
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || (0x80..<0xA0).contains($0.value) }) else {
            throw ClientConfigError(file: file, key: key, "contains a control character")
        }
        return text
    }

    /// A context name: 1 to `maxNameLength` characters of A–Z a–z 0–9 . _ - @ : /.
    private static func name(_ node: Node, key: String, file: String) throws(ClientConfigError) -> String {
        guard let text = try string(node, key: key, file: file) else { throw ClientConfigError(file: file, key: key, "must not be empty") }
        try checkName(text, key: key, file: file)
        return text
    }

    /// Throws unless `text` is a usable context name.
    static func checkName(_ text: String, key: String, file: String) throws(ClientConfigError) {
        guard text.count <= maxNameLength, !text.isEmpty,
            text.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-@:/".unicodeScalars.contains($0)) })
        else {
            throw ClientConfigError(file: file, key: key, "'\(text.prefix(maxNameLength))' is not a context name (1 to \(maxNameLength) of A-Z a-z 0-9 . _ - @ : /)")
        }
    }

    /// `~/x` under `home`, a relative path under `folder`, an absolute one as it is.
    static func resolvePath(_ path: String, folder: String, home: String?) -> String {
        if path.hasPrefix("/") { return path }
        if path == "~" || path.hasPrefix("~/"), let home { return home + path.dropFirst() }
        return folder.isEmpty ? path : (folder as NSString).appendingPathComponent(path)
    }
}
