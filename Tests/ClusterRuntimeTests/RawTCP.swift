import ClusterRuntime
import Foundation

/// A plain blocking TCP socket, as a hostile or careless client holds one: send any bytes, read
/// what comes back until the peer closes or a wait runs out.
final class RawTCP {
    private(set) var fd: Int32

    /// Connects to `address` (IPv4).
    init(_ address: HostPort) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RuntimeFailure(.internalError, "socket() failed: errno \(errno)") }
        var peer = sockaddr_in()
        peer.sin_family = sa_family_t(AF_INET)
        peer.sin_port = in_port_t(UInt16(address.port).bigEndian)
        peer.sin_addr.s_addr = inet_addr(address.host == "localhost" ? "127.0.0.1" : address.host)
        let connected = withUnsafePointer(to: &peer) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Foundation.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let code = errno
            Foundation.close(fd)
            throw RuntimeFailure(.unavailable, "connect to \(address) failed: errno \(code)")
        }
    }

    deinit { close() }

    /// Sends all of `bytes`; false when the peer has closed.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Foundation.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            sent += n
        }
        return true
    }

    /// Reads until the peer closes (`closed` true) or nothing arrives for `wait`.
    func readUntilClosed(wait: Duration = .seconds(10)) -> (bytes: [UInt8], closed: Bool) {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        let milliseconds = Int32(clamping: wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000)
        while true {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, milliseconds) > 0 else { return (received, false) }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if n <= 0 { return (received, true) }
            received += chunk[..<n]
        }
    }

    /// Closes the socket (idempotent).
    func close() {
        if fd >= 0 {
            Foundation.close(fd)
            fd = -1
        }
    }

    /// A 24-byte native preamble built by hand.
    static func preamble(method: UInt8, requestID: UInt64 = 0, length: UInt64, flags: UInt8 = 0) -> [UInt8] {
        var bytes: [UInt8] = []
        withUnsafeBytes(of: UInt32(0x3150_4454).littleEndian) { bytes += $0 }
        bytes += [method, flags]
        withUnsafeBytes(of: UInt16(0).littleEndian) { bytes += $0 }
        withUnsafeBytes(of: requestID.littleEndian) { bytes += $0 }
        withUnsafeBytes(of: length.littleEndian) { bytes += $0 }
        return bytes
    }

    /// A hello carrying `token`.
    static func hello(_ token: String) -> [UInt8] {
        preamble(method: 0, length: UInt64(token.utf8.count)) + Array(token.utf8)
    }

    /// The status (gRPC numbering) and text of each answer in `bytes`.
    static func answers(_ bytes: [UInt8]) -> [(status: UInt16, text: String)] {
        var result: [(UInt16, String)] = []
        var at = 0
        while bytes.count - at >= 24 {
            let status = UInt16(bytes[at + 6]) | UInt16(bytes[at + 7]) << 8
            var length = 0
            for i in 0..<8 { length |= Int(bytes[at + 16 + i]) << (8 * i) }
            let end = min(bytes.count, at + 24 + length)
            result.append((status, String(decoding: bytes[(at + 24)..<end], as: UTF8.self)))
            at = end
        }
        return result
    }
}

/// Waits (polling) until `condition` holds or `limit` passes; whether it held.
func waitUntil(within limit: Duration = .seconds(20), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

/// The process's virtual memory size (/proc/self/statm): any large allocation maps its whole size here at
/// once, touched or not, so a body buffer allocated for a declared length shows even before data arrives.
func virtualMemoryBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
        let pages = text.split(separator: " ").first.flatMap({ Int($0) })
    else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}
