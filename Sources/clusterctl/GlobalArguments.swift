/// Lets global options come before the verb, as in `clusterctl --coordinator HOST:PORT submit job.yaml`:
/// options written before the subcommand are moved after it, where every subcommand declares them.
enum GlobalArguments {
    /// Global options that take a value.
    static let valued: Set<String> = ["--coordinator", "--context", "--timeout", "--token-file", "--tls-cert", "--tls-key", "--tls-ca", "--output", "-o"]
    /// Global flags without a value.
    static let flags: Set<String> = ["--json"]
    /// Commands whose verbs are subcommands of their own.
    static let groups: Set<String> = ["config"]

    /// Reorders `arguments` (without the program name) so leading global options follow the subcommand.
    static func hoist(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
            let joinedShort = argument.hasPrefix("-o") && argument.count > 2  // -ojson
            if flags.contains(argument) || joinedShort || (valued.contains(name) && argument.contains("=")) {
                leading.append(argument)
                index += 1
            } else if valued.contains(argument), index + 1 < arguments.count {
                leading.append(contentsOf: arguments[index...(index + 1)])
                index += 2
            } else {
                break
            }
        }
        guard !leading.isEmpty, index < arguments.count else { return arguments }
        // arguments[index] is the subcommand; a group's (`config use-context`) is two words.
        var end = index + 1
        if groups.contains(arguments[index]), end < arguments.count, !arguments[end].hasPrefix("-") { end += 1 }
        return Array(arguments[index..<end]) + leading + arguments[end...]
    }
}
