import ArgumentParser
import ClusterPresentation
import ClusterRuntime
import Foundation

/// `clusterctl config …`: the client config file's contexts.
struct Config: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show and switch the contexts of the client config file.",
        discussion: """
            The file is $TESSERA_CONFIG, else $XDG_CONFIG_HOME/tessera/config.yaml, else ~/.config/tessera/config.yaml \
            (docs/clusterctl.md#contexts). Each value is taken from a flag, else its TESSERA_* variable, else the \
            context (--context, else current_context), else the default.
            """,
        subcommands: [GetContexts.self, CurrentContext.self, UseContext.self, View.self])

    /// The config file's path and the user's home, from the environment.
    static func location() throws -> (path: String, home: String?) {
        let environment = ProcessInfo.processInfo.environment
        guard let path = ClientConfig.path(environment: environment) else {
            throw RuntimeFailure(.invalidArgument, "no client config file: neither TESSERA_CONFIG nor HOME is set")
        }
        return (path, environment["HOME"])
    }

    /// The config file, or an error naming where it was looked for.
    static func load() throws -> ClientConfig {
        let (path, home) = try location()
        do {
            guard let config = try ClientConfig.load(path: path, home: home) else {
                throw RuntimeFailure(.notFound, "\(path) does not exist (write it as docs/clusterctl.md#contexts shows, or set TESSERA_CONFIG)")
            }
            return config
        } catch let error as ClientConfigError {
            throw RuntimeFailure(.invalidArgument, error.description)
        }
    }

    /// `config get-contexts`.
    struct GetContexts: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "get-contexts", abstract: "List the contexts; * marks the current one.")

        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await runReporting {
                let contexts = ContextSummary.all(try Config.load())
                output.show(contexts) { ContextSummary.table(contexts).render() }
            }
        }
    }

    /// `config current-context`.
    struct CurrentContext: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "current-context", abstract: "Print the current context's name.")

        func run() async throws {
            try await runReporting {
                let config = try Config.load()
                guard let name = config.currentContext else {
                    throw RuntimeFailure(.notFound, "\(config.file) sets no current_context (clusterctl config use-context NAME)")
                }
                print(name)
            }
        }
    }

    /// `config use-context NAME`.
    struct UseContext: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "use-context", abstract: "Make a context the current one (rewrites the file's current_context line only).")

        @Argument(help: "The context's name.", completion: .custom { _, _, _ in ConnectionOptions.contextNames() })
        var name: String

        func run() async throws {
            try await runReporting {
                let (path, home) = try Config.location()
                do throws(ClientConfigError) {
                    try ClientConfig.useContext(name, path: path, home: home)
                } catch {
                    throw RuntimeFailure(.invalidArgument, error.description)
                }
                print("switched to context \"\(name)\" (\(path))")
            }
        }
    }

    /// `config view`.
    struct View: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the connection settings in effect and where each comes from (flag, environment, context, default).")

        @OptionGroup var connection: ConnectionOptions

        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await runReporting {
                let settings = try connection.settings()
                output.show(settings) { Config.viewText(settings) }
            }
        }
    }

    /// The `config view` page.
    static func viewText(_ s: ConnectionSettings) -> String {
        let rows: [(String, ConnectionSettings.Value?)] = [
            ("coordinator", s.coordinator), ("token_file", s.tokenFile), ("tls_ca", s.tlsCA), ("tls_cert", s.tlsCert), ("tls_key", s.tlsKey),
        ]
        let table = TableRenderer(header: ["SETTING", "VALUE", "FROM"], rows: rows.map { [$0.0, $0.1?.value ?? "-", $0.1?.source ?? "-"] })
        return "config file  \(s.configFile ?? "none")\ncontext      \(s.context ?? "none")\n\n" + table.render()
    }
}
