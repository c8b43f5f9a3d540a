import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Raw loopback TCP throughput with plain POSIX sockets: the ceiling the data plane is compared to.
///
/// One connection; the sender writes `bytes` from one buffer, the receiver reads them into one
/// buffer of the same size and answers one byte; one way, like `loopback_tcp.py`.
enum RawTCP {
    /// GB/s (1e9 bytes) of the median iteration, and the cores the two ends kept busy (process CPU seconds ÷ wall
    /// seconds over the timed iterations: the kernel's copies on both sides).
    static func measure(bytes: Int, iterations: Int) throws -> (gbps: Double, cores: Double) {
        let (listener, bound) = try LoopbackListener.open(backlog: 1)
        var address = bound
        var one: Int32 = 1
        defer { close(listener) }

        let receiver = Thread {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            defer { close(connection) }
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes, alignment: 64)
            defer { buffer.deallocate() }
            memset(buffer.baseAddress!, 0, bytes)
            var ack: UInt8 = 1
            for _ in 0..<(iterations + 1) {
                var got = 0
                while got < bytes {
                    let n = recv(connection, buffer.baseAddress! + got, bytes - got, 0)
                    if n <= 0 { return }
                    got += n
                }
                _ = send(connection, &ack, 1, 0)
            }
        }
        receiver.start()

        let sender = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(sender) }
        setsockopt(sender, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        try withUnsafeMutablePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                guard connect(sender, sa, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 else {
                    throw BenchFailure("connect failed: errno \(errno)")
                }
            }
        }
        let data = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes, alignment: 64)
        defer { data.deallocate() }
        memset(data.baseAddress!, 7, bytes)
        var times: [Double] = []
        var cpuStart = 0.0
        for i in 0..<(iterations + 1) {
            if i == 1 { cpuStart = BenchOutput.processCPUSeconds() }
            let t = try BenchOutput.time {
                var sent = 0
                while sent < bytes {
                    let n = send(sender, data.baseAddress! + sent, bytes - sent, 0)
                    guard n > 0 else { throw BenchFailure("send failed: errno \(errno)") }
                    sent += n
                }
                var ack: UInt8 = 0
                guard recv(sender, &ack, 1, 0) == 1 else { throw BenchFailure("no acknowledgement from the receiver") }
            }
            times.append(t)
        }
        let timed = Array(times.dropFirst())
        let cores = (BenchOutput.processCPUSeconds() - cpuStart) / timed.reduce(0, +)
        return (Double(bytes) / BenchOutput.median(timed) / 1e9, cores)
    }
}

/// A benchmark that could not run, with the reason.
struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// memcpy bandwidth of one core: GB/s of bytes copied (one way) between two buffers of `bytes`.
enum Memcpy {
    static func measure(bytes: Int, iterations: Int) -> Double {
        let source = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes, alignment: 64)
        let destination = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes, alignment: 64)
        defer { source.deallocate(); destination.deallocate() }
        memset(source.baseAddress!, 3, bytes)
        memset(destination.baseAddress!, 0, bytes)
        var times: [Double] = []
        for _ in 0..<(iterations + 1) {
            times.append(BenchOutput.time { memcpy(destination.baseAddress!, source.baseAddress!, bytes) })
        }
        return Double(bytes) / BenchOutput.median(Array(times.dropFirst())) / 1e9
    }
}
