import Foundation
import LinkProxy

/// `tessera-linkproxy --listen HOST:PORT --upstream HOST:PORT [--delay-ms N] [--stall] [--drop]`:
/// a slow-link TCP proxy for fault tests and the netns/e2e scripts. Prints `LISTENING PORT` once
/// bound, then reads commands from stdin, one per line (`pass`, `delay MS`, `stall`, `unstall`,
/// `drop`, `undrop`), answering `OK <faults>` or `ERR <why>`; exits at end of input unless
/// `--keep-open`, or on SIGTERM.
@main
struct LinkProxyCommand {
    static func main() async {
        do {
            let options = try Options(Array(CommandLine.arguments.dropFirst()))
            let proxy = LinkProxy(upstreamHost: options.upstream.host, upstreamPort: options.upstream.port, faults: options.faults)
            let port = try await proxy.start(host: options.listen.host, port: options.listen.port)
            say("LISTENING \(port)")
            while let line = readLine() {
                let command = line.trimmingCharacters(in: .whitespaces)
                guard !command.isEmpty else { continue }
                if let next = proxy.faults.applying(command: command) {
                    proxy.faults = next
                    say("OK \(next)")
                } else {
                    say("ERR '\(command)' is not pass, delay MS, stall, unstall, drop or undrop")
                }
            }
            if options.keepOpen {
                while true { try await Task.sleep(for: .seconds(3600)) }
            }
            proxy.stop()
        } catch {
            FileHandle.standardError.write(Data("tessera-linkproxy: \(error)\n".utf8))
            exit(2)
        }
    }
}

/// Writes one unbuffered line to stdout (scripts wait for these lines).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// The command line.
struct Options {
    var listen = (host: "127.0.0.1", port: 0)
    var upstream = (host: "", port: 0)
    var faults = LinkFaults.none
    var keepOpen = false

    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        var sawUpstream = false
        while let flag = rest.popFirst() {
            switch flag {
            case "--listen": listen = try Self.address(rest.popFirst(), flag)
            case "--upstream":
                upstream = try Self.address(rest.popFirst(), flag)
                sawUpstream = true
            case "--delay-ms":
                guard let text = rest.popFirst(), let ms = Int(text), ms >= 0 else { throw Problem(description: "--delay-ms needs a number of milliseconds ≥ 0") }
                faults.delay = .milliseconds(ms)
            case "--stall": faults.stall = true
            case "--drop": faults.drop = true
            case "--keep-open": keepOpen = true
            default:
                throw Problem(description: "unknown argument '\(flag)'; usage: tessera-linkproxy --listen HOST:PORT --upstream HOST:PORT [--delay-ms N] [--stall] [--drop] [--keep-open]")
            }
        }
        guard sawUpstream else { throw Problem(description: "--upstream HOST:PORT is required") }
    }

    static func address(_ text: String?, _ flag: String) throws -> (host: String, port: Int) {
        guard let text, let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw Problem(description: "\(flag) needs HOST:PORT, got '\(text ?? "")'")
        }
        return (String(text[..<colon]), port)
    }
}
