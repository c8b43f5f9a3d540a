import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A TCP connection that writes exactly the bytes it is given, as a hostile client would, and
/// reads with a timeout: what the hostile-client tests use against every port of a daemon.
final class RawConnection {
    private(set) var fd: Int32

    /// Connects to 127.0.0.1:`port` (blocking, at most 5 s).
    init(port: Int, host: String = "127.0.0.1") throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw E2EError("socket(): errno \(errno)") }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard status == 0 else {
            let code = errno
            close(fd)
            fd = -1
            throw E2EError("connect to \(host):\(port): errno \(code)")
        }
    }

    /// Writes all of `bytes`; false when the peer has closed or reset the connection.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            sent += n
        }
        return true
    }

    /// Reads until `count` bytes arrived, the peer closed, or `timeout` seconds passed; returns what arrived and
    /// whether the peer closed (EOF or reset).
    func receive(atLeast count: Int, timeout: Double) -> (bytes: [UInt8], closed: Bool) {
        var received: [UInt8] = []
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while received.count < count {
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { return (received, false) }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(max(1, left * 1000)))
            if ready <= 0 { continue }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if n <= 0 { return (received, true) }
            received += buffer[0..<n]
        }
        return (received, false)
    }

    /// Whether the peer closes the connection within `timeout` seconds (anything it sends first is discarded).
    func closedByPeer(within timeout: Double) -> Bool {
        receive(atLeast: Int.max, timeout: timeout).closed
    }

    deinit {
        if fd >= 0 { close(fd) }
    }
}

/// A native data-plane preamble (docs/protocol.md): magic "TDP1", method, flags, status, request id, body length.
func nativePreamble(method: UInt8, requestID: UInt64, length: UInt64) -> [UInt8] {
    var bytes: [UInt8] = []
    func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
    append(UInt32(0x3150_4454))
    append(method)
    append(UInt8(0))
    append(UInt16(0))
    append(requestID)
    append(length)
    return bytes
}

/// The status field of a native answer's preamble (0 = ok), nil when fewer than 24 bytes arrived.
func nativeStatus(_ answer: [UInt8]) -> UInt16? {
    guard answer.count >= 24 else { return nil }
    return UInt16(answer[6]) | UInt16(answer[7]) << 8
}

/// The resident set size of process `pid` in bytes (Linux /proc), nil when unknown.
func residentBytes(pid: Int32) -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
        let kib = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    else { return nil }
    return kib * 1024
}

/// A TCP port that was free a moment ago (bound to port 0 and released).
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
            bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
        }
    }
    guard bound else { throw E2EError("cannot find a free port: errno \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
}
