import Foundation

extension ClientConfig {
    /// Where the config file is: `$TESSERA_CONFIG`, else `$XDG_CONFIG_HOME/tessera/config.yaml` (an absolute
    /// XDG_CONFIG_HOME), else `$HOME/.config/tessera/config.yaml`; nil when none of them is set.
    public static func path(environment: [String: String]) -> String? {
        if let explicit = environment["TESSERA_CONFIG"], !explicit.isEmpty { return explicit }
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") { return xdg + "/tessera/config.yaml" }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.config/tessera/config.yaml" }
        return nil
    }

    /// Reads and parses the file at `path`; nil when it does not exist. Throws naming the file when it cannot be
    /// read, is not a regular file, is larger than `maxBytes` or holds a bad value.
    public static func load(path: String, home: String?) throws(ClientConfigError) -> ClientConfig? {
        guard let text = try readText(path) else { return nil }
        return try parse(text, file: path, home: home)
    }

    /// The file's text (at most `maxBytes`), nil when it does not exist.
    static func readText(_ path: String) throws(ClientConfigError) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else {
            if errno == ENOENT { return nil }
            throw ClientConfigError(file: path, key: "", "cannot read it: \(String(cString: strerror(errno)))")
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw ClientConfigError(file: path, key: "", "is not a regular file")
        }
        var data = Data()
        do {
            while data.count <= maxBytes {
                guard let chunk = try handle.read(upToCount: maxBytes + 1 - data.count), !chunk.isEmpty else { break }
                data.append(chunk)
            }
        } catch {
            throw ClientConfigError(file: path, key: "", "cannot read it: \(error.localizedDescription)")
        }
        guard data.count <= maxBytes else {
            throw ClientConfigError(file: path, key: "", "larger than \(maxBytes) bytes (the client config limit)")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw ClientConfigError(file: path, key: "", "is not UTF-8 text") }
        return text
    }

    /// `text` with its top-level `current_context:` line set to `name` (added first when there is none); comments
    /// and every other line are kept. Throws when the result does not read back with that context current.
    public static func settingCurrentContext(_ name: String, in text: String, file: String) throws(ClientConfigError) -> String {
        try checkName(name, key: "current_context", file: file)
        let line = "current_context: \"\(name)\""
        var lines = text.components(separatedBy: "\n")
        if let index = lines.firstIndex(where: { $0.hasPrefix("current_context:") || $0.hasPrefix("current_context ") }) {
            lines[index] = line
        } else {
            lines.insert(line, at: lines.first?.hasPrefix("%") == true || lines.first == "---" ? 1 : 0)
        }
        let updated = lines.joined(separator: "\n")
        guard (try? parse(updated, file: file, home: nil))?.currentContext == name else {
            throw ClientConfigError(file: file, key: "current_context", "cannot be set in this file's layout: write `current_context: \(name)` on a line of its own")
        }
        return updated
    }

    /// Makes `name` the current context of the file at `path`: checks that it exists, rewrites the one line and
    /// replaces the file atomically (same permissions).
    public static func useContext(_ name: String, path: String, home: String?) throws(ClientConfigError) {
        guard let text = try readText(path) else {
            throw ClientConfigError(file: path, key: "", "does not exist; write it first (docs/clusterctl.md#contexts)")
        }
        _ = try parse(text, file: path, home: home).context(named: name, key: "current_context")
        let updated = try settingCurrentContext(name, in: text, file: path)
        let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)).map {
            $0.hasPrefix("/") ? $0 : ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent($0)
        } ?? path
        let temporary = target + ".tmp-\(getpid())"
        var info = stat()
        let mode = stat(target, &info) == 0 ? mode_t(info.st_mode & 0o777) : 0o600
        guard FileManager.default.createFile(atPath: temporary, contents: Data(updated.utf8), attributes: [.posixPermissions: Int(mode)]) else {
            throw ClientConfigError(file: path, key: "", "cannot write \(temporary): \(String(cString: strerror(errno)))")
        }
        guard rename(temporary, target) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw ClientConfigError(file: path, key: "", "cannot replace it: \(reason)")
        }
    }
}
