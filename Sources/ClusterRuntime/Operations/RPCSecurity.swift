import Foundation

/// How a node authenticates its gRPC traffic: a shared bearer token and optional (mutual) TLS.
/// Every server and client a daemon builds takes one, so all planes are protected alike.
public struct RPCSecurity: Sendable, Hashable {
    /// Shared bearer token; nil disables token checks (server) and sends none (client).
    public var token: String?
    /// Certificate files; nil means plaintext.
    public var tls: TLSFiles?

    /// No token, plaintext: the loopback default.
    public static let none = RPCSecurity()

    /// Creates a security setting.
    public init(token: String? = nil, tls: TLSFiles? = nil) {
        self.token = token
        self.tls = tls
    }

    /// Reads a token file: the whole file, surrounding whitespace trimmed; an empty file is an error.
    public static func readToken(file path: String) throws -> String {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw RuntimeFailure(.invalidArgument, "cannot read the token file \(path): \(error.localizedDescription)")
        }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw RuntimeFailure(.invalidArgument, "the token file \(path) is empty") }
        guard !token.contains(where: { $0.isNewline || $0 == " " }) else {
            throw RuntimeFailure(.invalidArgument, "the token in \(path) must be one line without spaces")
        }
        return token
    }
}
