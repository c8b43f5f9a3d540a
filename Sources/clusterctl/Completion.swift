import ArgumentParser

/// `clusterctl completion bash|zsh|fish`: the shell completion script (ArgumentParser's generator).
struct Completion: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a shell completion script for bash, zsh or fish.",
        discussion: """
            bash:  clusterctl completion bash > /etc/bash_completion.d/clusterctl   (or ~/.local/share/bash-completion/completions/clusterctl)
            zsh:   clusterctl completion zsh > "${fpath[1]}/_clusterctl"
            fish:  clusterctl completion fish > ~/.config/fish/completions/clusterctl.fish
            Verbs, options, -o formats, --for conditions, spec files and --context names (read from the config file) complete.
            """)

    /// A shell clusterctl can complete in.
    enum Shell: String, CaseIterable, ExpressibleByArgument {
        case bash, zsh, fish
    }

    @Argument(help: "bash, zsh or fish.")
    var shell: Shell

    func run() throws {
        let kind: CompletionShell = switch shell {
        case .bash: .bash
        case .zsh: .zsh
        case .fish: .fish
        }
        print(ClusterCtl.completionScript(for: kind))
    }
}
