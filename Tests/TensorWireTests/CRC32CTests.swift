import Testing
import TensorWire

@Suite("CRC32C")
struct CRC32CTests {
    @Test("standard check value and RFC 3720 vectors")
    func knownVectors() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8]()) == 0)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
    }

    @Test("hardware and software paths agree on every length and alignment, and chaining equals one pass")
    func pathsAgree() {
        var rng = SeededGenerator(seed: 7)
        let bytes = (0..<(3 * 8192 * 3 + 100)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        bytes.withUnsafeBytes { all in
            var lengths = Array(0..<80) + [255, 256, 767, 768, 769, 8191, 24575, 24576, 24577, 49152 + 13, 3 * 8192 * 3]
            for _ in 0..<60 { lengths.append(Int(rng.next() % UInt64(all.count - 16))) }
            for length in lengths {
                let offset = Int(rng.next() % 16)
                let slice = UnsafeRawBufferPointer(rebasing: all[offset..<offset + length])
                let seed = UInt32(truncatingIfNeeded: rng.next())
                let fast = CRC32C.checksum(slice, seed: seed)
                #expect(fast == CRC32C.softwareChecksum(slice, seed: seed), "length \(length) offset \(offset)")
                let cut = length == 0 ? 0 : Int(rng.next() % UInt64(length))
                let first = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: slice[0..<cut]), seed: seed)
                #expect(CRC32C.checksum(UnsafeRawBufferPointer(rebasing: slice[cut...]), seed: first) == fast)
            }
        }
    }

    @Test("folding, the crc32 streams and the table agree on every length, alignment and seed, copies included")
    func foldingAgreesWithStreamsAndTable() {
        var rng = SeededGenerator(seed: 11)
        let bytes = (0..<(1 << 20) + 300).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        var copied = [UInt8](repeating: 0, count: bytes.count)
        var lengths = Array(0..<1100) + [2047, 2048, 2049, 4096 + 255, 65_536, 450_000, 1 << 20]
        for _ in 0..<200 { lengths.append(Int(rng.next() % UInt64(1 << 20))) }
        var mismatches: [String] = []
        bytes.withUnsafeBytes { all in
            copied.withUnsafeMutableBytes { out in
                for length in lengths {
                    let offset = Int(rng.next() % 64), target = Int(rng.next() % 64)
                    let slice = UnsafeRawBufferPointer(rebasing: all[offset..<offset + length])
                    let seed = length % 3 == 0 ? 0 : UInt32(truncatingIfNeeded: rng.next())
                    let table = CRC32C.softwareChecksum(slice, seed: seed)
                    let destination = UnsafeMutableRawBufferPointer(rebasing: out[target..<target + length])
                    let results = [CRC32C.checksum(slice, seed: seed), CRC32C.streamsChecksum(slice, seed: seed),
                                   CRC32C.copy(slice, to: destination, seed: seed)]
                    let copiedExactly = destination.elementsEqual(slice)
                    if results.contains(where: { $0 != table }) || !copiedExactly {
                        mismatches.append("length \(length) offset \(offset)→\(target): \(results) vs \(table), copy \(copiedExactly)")
                    }
                }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
        if !CRC32C.isFolding { print("CRC32C: this CPU has no AVX-512 + VPCLMULQDQ; the folding path was not exercised") }
    }

    @Test("throughput over 64 MiB (informational)")
    func throughput() {
        let count = 64 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 64)
        defer { buffer.deallocate() }
        buffer.initializeMemory(as: UInt8.self, repeating: 0x5A)
        let clock = ContinuousClock()
        var crc: UInt32 = 0
        let elapsed = clock.measure {
            for _ in 0..<4 { crc = CRC32C.checksum(UnsafeRawBufferPointer(buffer), seed: crc) }
        }
        let seconds = Double(elapsed.components.attoseconds) / 1e18 + Double(elapsed.components.seconds)
        print("CRC32C: \(Double(4 * count) / seconds / 1e9) GB/s (hardware: \(CRC32C.isHardwareAccelerated), folding: \(CRC32C.isFolding))")
        #expect(crc != 0)
    }
}
