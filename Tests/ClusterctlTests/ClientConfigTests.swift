import ClusterPresentation
import Foundation
import Testing

/// The client config file: contexts read with every value checked, errors naming the file and the key, precedence
/// flag > environment > context > default, and `use-context` rewriting one line.
struct ClientConfigTests {
    static let sample = """
        # operator contexts
        current_context: prod
        contexts:
          - name: local
            coordinator: 127.0.0.1:7070
          - name: prod
            coordinator: 10.0.0.10:7070
            token_file: prod.token
            tls_ca: ~/tls/ca.pem
            tls_cert: /etc/tls/me.pem
            tls_key: /etc/tls/me.key
        """

    @Test func contextsReadWithPathsResolved() throws {
        let config = try ClientConfig.parse(Self.sample, file: "/home/a/.config/tessera/config.yaml", home: "/home/a")
        #expect(config.currentContext == "prod")
        #expect(config.contexts.map(\.name) == ["local", "prod"])
        let prod = config.contexts[1]
        #expect(prod.coordinator == "10.0.0.10:7070")
        #expect(prod.tokenFile == "/home/a/.config/tessera/prod.token")
        #expect(prod.tlsCA == "/home/a/tls/ca.pem" && prod.tlsCert == "/etc/tls/me.pem" && prod.tlsKey == "/etc/tls/me.key")
        #expect(try ClientConfig.parse("", file: "f", home: nil).contexts.isEmpty)
        #expect(try ClientConfig.parse("# only a comment\n", file: "f", home: nil).contexts.isEmpty)
    }

    @Test func everyBadValueIsRefusedNamingTheFileAndKey() {
        let cases: [(String, String, String)] = [
            ("contexts: [{name: a, coordinator: nope}]", "contexts[0].coordinator", "HOST:PORT"),
            ("contexts: [{name: a, coordinator: 'h:99999'}]", "contexts[0].coordinator", "HOST:PORT"),
            ("contexts: [{name: a, tls_server_name: x}]", "contexts[0].tls_server_name", "not supported"),
            ("current-context: a", "current-context", "did you mean current_context"),
            ("contexts: [{name: a}, {name: a}]", "contexts[1].name", "two contexts"),
            ("contexts: [{coordinator: 'h:1'}]", "contexts[0].name", "required"),
            ("contexts: [{name: 'a b'}]", "contexts[0].name", "not a context name"),
            ("contexts: [{name: \"a\\u001b[31m\"}]", "contexts[0].name", "control character"),
            ("contexts: [{name: a, tls_cert: c.pem}]", "contexts[0].tls_key", "go together"),
            ("contexts: [{name: a, token_file: [x]}]", "contexts[0].token_file", "must be a string"),
            ("contexts: {name: a}", "contexts", "list"),
            ("contexts: [7]", "contexts[0]", "mapping"),
            ("- a\n- b", "", "mapping"),
            ("current_context: [a]", "current_context", "must be a string"),
            ("contexts: [{name: a, coordinator: 'h:1', coordinator: 'h:2'}]", "", "duplicated key"),
            ("contexts: [{name: a", "", "not valid YAML"),
            ("contexts: [{name: a, token_file: '\(String(repeating: "x", count: 5000))'}]", "contexts[0].token_file", "4096"),
            ("contexts: [{name: '\(String(repeating: "n", count: 200))'}]", "contexts[0].name", "not a context name"),
        ]
        for (text, key, words) in cases {
            do {
                _ = try ClientConfig.parse(text, file: "/cfg.yaml", home: "/h")
                Issue.record("accepted: \(text.prefix(80))")
            } catch {
                #expect(error.file == "/cfg.yaml")
                #expect(error.key == key, "\(text.prefix(80)): \(error)")
                #expect(error.message.contains(words), "\(text.prefix(80)): \(error)")
                #expect(error.description.hasPrefix("/cfg.yaml: "))
            }
        }
    }

    @Test func sizeAndCountAreBounded() {
        let many = "contexts:\n" + (0...ClientConfig.maxContexts).map { "  - name: c\($0)\n" }.joined()
        #expect(throws: ClientConfigError.self) { try ClientConfig.parse(many, file: "f", home: nil) }
        let huge = "# " + String(repeating: "x", count: ClientConfig.maxBytes) + "\n"
        do {
            _ = try ClientConfig.parse(huge, file: "f", home: nil)
            Issue.record("a file over the limit was read")
        } catch {
            #expect(error.message.contains("the client config limit"))
        }
    }

    @Test func aliasesDoNotMultiplyWork() throws {
        // Anchors and aliases are shared nodes, never copied: a "billion laughs" file is refused by its shape, fast.
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1..<9 { text += "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]\n" }
        #expect(throws: ClientConfigError.self) { try ClientConfig.parse(text, file: "f", home: nil) }
    }

    @Test func fileLocationFollowsTesseraConfigThenXDGThenHome() {
        #expect(ClientConfig.path(environment: ["TESSERA_CONFIG": "/x.yaml", "HOME": "/h"]) == "/x.yaml")
        #expect(ClientConfig.path(environment: ["XDG_CONFIG_HOME": "/xdg", "HOME": "/h"]) == "/xdg/tessera/config.yaml")
        #expect(ClientConfig.path(environment: ["XDG_CONFIG_HOME": "relative", "HOME": "/h"]) == "/h/.config/tessera/config.yaml")
        #expect(ClientConfig.path(environment: ["TESSERA_CONFIG": "", "HOME": "/h"]) == "/h/.config/tessera/config.yaml")
        #expect(ClientConfig.path(environment: [:]) == nil)
    }

    @Test func precedenceIsFlagThenEnvironmentThenContextThenDefault() throws {
        let config = try ClientConfig.parse(Self.sample, file: "/c.yaml", home: "/h")
        let fromContext = try ConnectionSettings.resolve(flags: .init(), environment: [:], config: config, configPath: "/c.yaml")
        #expect(fromContext.context == "prod" && fromContext.coordinator.value == "10.0.0.10:7070")
        #expect(fromContext.coordinator.source == "context prod (/c.yaml)")
        let env = try ConnectionSettings.resolve(
            flags: .init(), environment: ["TESSERA_COORDINATOR": "10.0.0.11:7070"], config: config, configPath: "/c.yaml")
        #expect(env.coordinator == .init(value: "10.0.0.11:7070", source: "TESSERA_COORDINATOR"))
        #expect(env.tokenFile?.value == "/prod.token")  // the context's token still applies
        let flag = try ConnectionSettings.resolve(
            flags: .init(coordinator: "h:1", tokenFile: "/t", context: "local"), environment: ["TESSERA_COORDINATOR": "e:2"], config: config,
            configPath: "/c.yaml")
        #expect(flag.context == "local" && flag.coordinator == .init(value: "h:1", source: "flag --coordinator"))
        #expect(flag.tokenFile == .init(value: "/t", source: "flag --token-file") && flag.tlsCert == nil)
        let none = try ConnectionSettings.resolve(flags: .init(), environment: [:], config: nil, configPath: nil)
        #expect(none.coordinator == .init(value: "127.0.0.1:7070", source: "default") && none.context == nil)
    }

    @Test func aMissingContextOrFileIsNamed() throws {
        let config = try ClientConfig.parse(Self.sample, file: "/c.yaml", home: nil)
        #expect(throws: ClientConfigError.self) {
            try ConnectionSettings.resolve(flags: .init(context: "nope"), environment: [:], config: config, configPath: "/c.yaml")
        }
        do {
            _ = try ConnectionSettings.resolve(flags: .init(context: "prod"), environment: [:], config: nil, configPath: "/missing.yaml")
            Issue.record("--context without a file accepted")
        } catch {
            #expect(error.file == "/missing.yaml" && error.message.contains("--context prod"))
        }
        let dangling = try ClientConfig.parse("current_context: gone\ncontexts: [{name: a}]", file: "/c.yaml", home: nil)
        #expect(throws: ClientConfigError.self) { try ConnectionSettings.resolve(flags: .init(), environment: [:], config: dangling, configPath: "/c.yaml") }
        // An explicit --context still works when current_context dangles.
        #expect(try ConnectionSettings.resolve(flags: .init(context: "a"), environment: [:], config: dangling, configPath: "/c.yaml").context == "a")
    }

    @Test func useContextRewritesOneLineAndKeepsComments() throws {
        let updated = try ClientConfig.settingCurrentContext("local", in: Self.sample, file: "/c.yaml")
        #expect(updated.contains("# operator contexts") && updated.contains("current_context: \"local\""))
        #expect(!updated.contains("current_context: prod"))
        #expect(try ClientConfig.parse(updated, file: "/c.yaml", home: nil).currentContext == "local")
        let added = try ClientConfig.settingCurrentContext("a", in: "contexts: [{name: a}]\n", file: "/c.yaml")
        #expect(added.hasPrefix("current_context: \"a\"\n"))
        #expect(throws: ClientConfigError.self) { try ClientConfig.settingCurrentContext("a b", in: "", file: "/c.yaml") }
        #expect(throws: ClientConfigError.self) { try ClientConfig.settingCurrentContext("a", in: "{contexts: [{name: a}]}", file: "/c.yaml") }
    }

    @Test func useContextReplacesTheFileAtomically() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("config.yaml").path
        FileManager.default.createFile(atPath: file, contents: Data(Self.sample.utf8), attributes: [.posixPermissions: 0o640])
        try ClientConfig.useContext("local", path: file, home: nil)
        #expect(try ClientConfig.load(path: file, home: nil)?.currentContext == "local")
        #expect((try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int) == 0o640)
        #expect(throws: ClientConfigError.self) { try ClientConfig.useContext("nope", path: file, home: nil) }
        #expect(try ClientConfig.load(path: dir.appendingPathComponent("absent.yaml").path, home: nil) == nil)
        #expect(throws: ClientConfigError.self) { try ClientConfig.load(path: dir.path, home: nil) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["config.yaml"])
    }
}
