import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A loopback HTTP/1.1 keep-alive responder that does no work: it reads each request (head, then `Content-Length`
/// bytes of body, which it skips unparsed) and writes one prepared answer, on blocking sockets with a thread per
/// connection. What wrk reaches against it is the round trip of this machine's kernel, loopback TCP and wrk itself —
/// the ceiling any server of the same answer can reach in the same run (`tessera-bench serve`'s "ceiling" column).
final class FixedHTTPResponder: @unchecked Sendable {
    /// The port it listens on (127.0.0.1).
    let port: Int
    private let listener: Int32
    private let response: [UInt8]

    /// Heads larger than this close the connection (a load generator's head is a few hundred bytes).
    static let maxHeadBytes = 64 * 1024

    /// Listens on a free loopback port and answers every request with `body` as `application/json`.
    init(body: [UInt8]) throws {
        response = Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body
        let (listener, address) = try LoopbackListener.open(backlog: 128)
        self.listener = listener
        port = Int(UInt16(bigEndian: address.sin_port))
        let accepting = Thread { [self] in acceptLoop() }
        accepting.start()
    }

    /// Stops accepting (connections end when their client closes them).
    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            var one: Int32 = 1
            setsockopt(connection, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            Thread { [self] in serve(connection) }.start()
        }
    }

    /// Answers the requests on `connection` until the client closes it or sends something that is not a request head.
    private func serve(_ connection: Int32) {
        defer { close(connection) }
        let capacity = Self.maxHeadBytes
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        defer { buffer.deallocate() }
        var held = 0
        var bodyLeft = 0
        var inBody = false
        while true {
            let got = recv(connection, buffer + held, capacity - held, 0)
            guard got > 0 else { return }
            held += got
            while true {
                if inBody {
                    let skipped = min(bodyLeft, held)
                    bodyLeft -= skipped
                    consume(skipped, of: buffer, held: &held)
                    guard bodyLeft == 0 else { break }
                    inBody = false
                    guard answer(connection) else { return }
                    continue
                }
                guard let headEnd = Self.headEnd(buffer, held) else {
                    if held == capacity { return }
                    break
                }
                guard let length = Self.contentLength(buffer, headEnd) else { return }
                consume(headEnd, of: buffer, held: &held)
                bodyLeft = length
                inBody = true
            }
        }
    }

    private func answer(_ connection: Int32) -> Bool {
        response.withUnsafeBytes { bytes in
            var sent = 0
            while sent < bytes.count {
                let n = send(connection, bytes.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL))
                guard n > 0 else { return false }
                sent += n
            }
            return true
        }
    }

    private func consume(_ count: Int, of buffer: UnsafeMutablePointer<UInt8>, held: inout Int) {
        if count < held { memmove(buffer, buffer + count, held - count) }
        held -= count
    }

    /// The head's length through its blank line, if it has arrived.
    static func headEnd(_ buffer: UnsafePointer<UInt8>, _ count: Int) -> Int? {
        guard count >= 4 else { return nil }
        for i in 3..<count where buffer[i] == 10 && buffer[i - 1] == 13 && buffer[i - 2] == 10 && buffer[i - 3] == 13 { return i + 1 }
        return nil
    }

    /// The `Content-Length` of a head (0 without one); nil when it is not a number below 1 GiB.
    static func contentLength(_ buffer: UnsafePointer<UInt8>, _ headLength: Int) -> Int? {
        let head = String(decoding: UnsafeBufferPointer(start: buffer, count: headLength), as: UTF8.self)
        for line in head.split(separator: "\r\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "content-length" else { continue }
            guard let length = Int(parts[1].trimmingCharacters(in: .whitespaces)), (0..<(1 << 30)).contains(length) else { return nil }
            return length
        }
        return 0
    }
}
