import ArgumentParser
import Foundation
import TensorWire

/// `tessera-bench crc`: CRC32C throughput of each path — carry-less folding (what `CRC32C.checksum` uses where the CPU
/// has AVX-512 + VPCLMULQDQ), the three interleaved `crc32` streams, the portable table — checking and copying, on a
/// step-sized buffer (one MNIST MLP pull, in cache) and a large one (out of cache), against memcpy in the same run.
struct CRCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crc",
        abstract: "CRC32C throughput: folding vs crc32 streams vs table, checksum and copy+checksum, vs memcpy.")

    @Option(help: "Buffer sizes in KiB (comma-separated).")
    var kib = "427,65536"

    @Option(help: "Seconds to time each row.")
    var seconds = 0.5

    func run() throws {
        let sizes = kib.split(separator: ",").compactMap { Int($0) }.filter { $0 > 0 && $0 <= 1 << 22 }
        guard !sizes.isEmpty else { throw ValidationError("--kib: sizes in KiB between 1 and 4194304") }
        var rows: [[String]] = []
        var figures: [String: Any] = [:]
        for size in sizes {
            let count = size << 10
            let source = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 64)
            let target = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 64)
            defer { source.deallocate(); target.deallocate() }
            for i in 0..<count { source[i] = UInt8(truncatingIfNeeded: (i &* 2_654_435_761) >> 13) }
            target.initializeMemory(as: UInt8.self, repeating: 0)
            let bytes = UnsafeRawBufferPointer(source)
            var paths: [(String, () -> UInt32)] = [
                ("memcpy", { target.copyMemory(from: bytes); return 0 }),
                ("checksum", { CRC32C.checksum(bytes) }),
                ("streams checksum", { CRC32C.streamsChecksum(bytes) }),
                ("copy + checksum", { CRC32C.copy(bytes, to: target) }),
                ("streams copy + checksum", { CRC32C.streamsChecksum(bytes, copyingTo: target) }),
            ]
            if size <= 1024 { paths.append(("table checksum", { CRC32C.softwareChecksum(bytes) })) }
            let expected = CRC32C.softwareChecksum(bytes)
            var memcpy = Double.nan
            for (name, body) in paths {
                if name != "memcpy", body() != expected { throw ValidationError("\(name) disagrees with the table CRC at \(size) KiB") }
                let gbps = throughput(bytes: count, body)
                if name == "memcpy" { memcpy = gbps }
                rows.append(["\(size) KiB", name, String(format: "%.1f", gbps), String(format: "%.0f %%", 100 * gbps / memcpy)])
                figures["\(size)KiB \(name)"] = BenchOutput.round3(gbps)
            }
        }
        print("CRC32C paths on this CPU (folding: \(CRC32C.isFolding), crc32 instruction: \(CRC32C.isHardwareAccelerated)); GB/s of input")
        BenchOutput.printTable(["buffer", "path", "GB/s", "vs memcpy"], rows)
        let path = try BenchOutput.writeJSON("crc", ["bench": "crc", "folding": CRC32C.isFolding, "gbps": figures])
        print("wrote \(path)")
        let first = "\(sizes[0])KiB "
        let folded = figures[first + "checksum"] as? Double ?? .nan, streams = figures[first + "streams checksum"] as? Double ?? .nan
        print(BenchOutput.result(["bench": "crc", "kib": sizes[0], "gbps": folded, "streams_gbps": streams, "ratio": folded / streams,
                                  "folding": CRC32C.isFolding]))
    }

    /// GB/s of `body` over `bytes`, repeated for `seconds` after a warm-up; the best of five slices (least disturbed).
    private func throughput(bytes: Int, _ body: () -> UInt32) -> Double {
        var sink: UInt32 = 0
        for _ in 0..<3 { sink ^= body() }
        var best = 0.0
        for _ in 0..<5 {
            var runs = 0
            let clock = ContinuousClock(), start = clock.now
            while clock.now - start < .seconds(seconds / 5) {
                sink ^= body()
                runs += 1
            }
            best = max(best, Double(runs * bytes) / BenchOutput.seconds(clock.now - start) / 1e9)
        }
        if sink == 0x5EED_F00D { print("") }  // keeps the results observable
        return best
    }
}
