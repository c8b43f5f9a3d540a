import NIOCore
import NIOEmbedded
import Testing

@testable import ClusterRuntime

/// The client side of `NativeMessageDecoder`: answers whose body arrives whole in one read are handed on as a slice of
/// that read, the others assembled in recycled buffers — the bytes a caller sees are the same either way.
@Suite("Native client decoder")
struct NativeClientDecoderTests {
    /// Three answers back to back (bodies of 0, 5,000 and 70,000 bytes), as one stream of bytes.
    func stream() -> (bytes: [UInt8], bodies: [[UInt8]]) {
        var bytes: [UInt8] = [], bodies: [[UInt8]] = []
        for (id, count) in [(1, 0), (2, 5_000), (3, 70_000)] as [(UInt64, Int)] {
            let body = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(id)) }
            bytes += NativePreamble(method: .pull, isResponse: true, status: 0, requestID: id, length: UInt64(count)).bytes + body
            bodies.append(body)
        }
        return (bytes, bodies)
    }

    /// The messages `reads` (the stream cut at `cuts`) decode into.
    func decode(_ bytes: [UInt8], cuts: [Int]) throws -> [NativeMessage] {
        let channel = EmbeddedChannel(handler: NativeMessageDecoder(limits: .default))
        var start = 0
        for end in cuts + [bytes.count] where end > start {
            try channel.writeInbound(ByteBuffer(bytes: bytes[start..<end]))
            start = end
        }
        var messages: [NativeMessage] = []
        while let message = try channel.readInbound(as: NativeMessage.self) { messages.append(message) }
        _ = try channel.finish()
        return messages
    }

    @Test("every cut of the stream — whole, in two, in many reads — gives the same answers byte for byte")
    func bodiesAreTheSameWhereverTheReadsEnd() throws {
        let (bytes, bodies) = stream()
        let secondBody = 2 * NativePreamble.size
        var cutSets: [[Int]] = [[], Array(stride(from: 1, to: bytes.count, by: 997)), Array(stride(from: 7, to: bytes.count, by: 4_096))]
        for cut in [1, 23, 24, 25, secondBody, secondBody + 1, secondBody + 4_999, secondBody + 5_000, bytes.count - 1] { cutSets.append([cut]) }
        for cuts in cutSets {
            let messages = try decode(bytes, cuts: cuts)
            #expect(messages.map(\.preamble.requestID) == [1, 2, 3], "cuts \(cuts.prefix(3))")
            for (message, body) in zip(messages, bodies) {
                guard case .buffer(let buffer) = message.body else {
                    Issue.record("the client decoder assembled an array")
                    continue
                }
                #expect(Array(buffer.readableBytesView) == body, "request \(message.preamble.requestID), cuts \(cuts.prefix(3))")
            }
        }
    }

    @Test("a body spread over reads leaves the reads' bytes alone: the next answer decodes the same after it")
    func assembledBodiesDoNotAliasLaterReads() throws {
        let (bytes, bodies) = stream()
        // Every answer split in the middle of its body, then the whole stream again in one read.
        let messages = try decode(bytes + bytes, cuts: [60, 3_000, 40_000, bytes.count])
        #expect(messages.count == 6)
        for (message, body) in zip(messages, bodies + bodies) {
            guard case .buffer(let buffer) = message.body else { continue }
            #expect(Array(buffer.readableBytesView) == body)
        }
    }
}
