/// A "host:port" network address as given on command lines and in the control plane.
public struct HostPort: Hashable, Sendable, CustomStringConvertible {
    /// Host name or IP literal (IPv6 without brackets).
    public var host: String
    /// TCP port; 0 asks the system for a free one when listening.
    public var port: Int

    /// Creates an address from its parts.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses "host:port", "[v6]:port" or ":port" (host defaults to 127.0.0.1).
    public init(parsing text: String) throws(RuntimeFailure) {
        var hostPart: Substring
        var portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                throw RuntimeFailure(.invalidArgument, "address '\(text)' has an unclosed '[': expected [IPv6]:PORT")
            }
            hostPart = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else {
                throw RuntimeFailure(.invalidArgument, "address '\(text)' has no port: expected [IPv6]:PORT")
            }
            portPart = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else {
                throw RuntimeFailure(.invalidArgument, "address '\(text)' has no port: expected HOST:PORT")
            }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
        }
        guard let port = Int(portPart), (0...65535).contains(port) else {
            throw RuntimeFailure(.invalidArgument, "address '\(text)' has an invalid port '\(portPart)': expected 0-65535")
        }
        if hostPart.isEmpty { hostPart = "127.0.0.1" }
        self.init(host: String(hostPart), port: port)
    }

    /// "host:port" (IPv6 hosts in brackets).
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
