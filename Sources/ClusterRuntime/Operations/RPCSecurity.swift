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

    /// Fewest bytes a token may have: shorter ones are guessable.
    public static let minimumTokenBytes = 16
    /// Most bytes a token file may hold (the token must also fit the native data plane's handshake).
    public static let maximumTokenFileBytes = 4096

    /// Reads a token file: the whole file, surrounding whitespace trimmed. Refused when the file is
    /// readable (or writable) by group or others, larger than `maximumTokenFileBytes`, empty, or when
    /// the token has fewer than `minimumTokenBytes` bytes or spans lines.
    public static func readToken(file path: String) throws -> String {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw RuntimeFailure(.invalidArgument, "cannot read the token file \(path): \(String(cString: strerror(errno)))")
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & 0o170000 == 0o100000 else {
            throw RuntimeFailure(.invalidArgument, "the token file \(path) is not a regular file")
        }
        let mode = info.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw RuntimeFailure(
                .invalidArgument,
                "the token file \(path) is accessible to group or others (mode \(String(mode, radix: 8))): run `chmod 600 \(path)`")
        }
        guard info.st_size <= maximumTokenFileBytes else {
            throw RuntimeFailure(.invalidArgument, "the token file \(path) has \(info.st_size) bytes; the limit is \(maximumTokenFileBytes)")
        }
        let data: Data
        do {
            data = try handle.read(upToCount: maximumTokenFileBytes + 1) ?? Data()
        } catch {
            throw RuntimeFailure(.invalidArgument, "cannot read the token file \(path): \(error.localizedDescription)")
        }
        guard data.count <= maximumTokenFileBytes else {
            throw RuntimeFailure(.invalidArgument, "the token file \(path) has more than \(maximumTokenFileBytes) bytes")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw RuntimeFailure(.invalidArgument, "the token file \(path) is empty") }
        guard !token.contains(where: { $0.isNewline || $0 == " " }) else {
            throw RuntimeFailure(.invalidArgument, "the token in \(path) must be one line without spaces")
        }
        guard token.utf8.count >= minimumTokenBytes else {
            throw RuntimeFailure(
                .invalidArgument,
                "the token in \(path) has \(token.utf8.count) bytes; tokens need at least \(minimumTokenBytes) (e.g. `openssl rand -hex 24`)")
        }
        return token
    }
}
