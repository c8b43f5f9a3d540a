import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A listening TCP socket on a free 127.0.0.1 port (the benchmarks' own loopback servers).
enum LoopbackListener {
    /// The listening descriptor and its bound address (port resolved); the caller closes it.
    static func open(backlog: Int32) throws -> (fd: Int32, address: sockaddr_in) {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0 else { throw BenchFailure("socket() failed: errno \(errno)") }
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                bind(listener, sa, length) == 0 && listen(listener, backlog) == 0 && getsockname(listener, sa, &length) == 0
            }
        }
        guard listening else {
            let code = errno
            close(listener)
            throw BenchFailure("cannot listen on 127.0.0.1: errno \(code)")
        }
        return (listener, address)
    }
}
