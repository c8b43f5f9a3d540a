import TensorWire

/// The seed inputs of fuzz-native: each a flags byte, read sizes, and a connection's byte stream.
enum NativeFuzzSeeds {
    /// A 24-byte preamble: magic, method, flags, status, request id, body length.
    static func preamble(method: UInt8, requestID: UInt64, length: UInt64, magic: UInt32 = 0x3150_4454) -> [UInt8] {
        var bytes: [UInt8] = []
        withUnsafeBytes(of: magic.littleEndian) { bytes += $0 }
        bytes += [method, 0, 0, 0]
        withUnsafeBytes(of: requestID.littleEndian) { bytes += $0 }
        withUnsafeBytes(of: length.littleEndian) { bytes += $0 }
        return bytes
    }

    /// A message: preamble then body.
    static func message(_ method: UInt8, _ requestID: UInt64, _ body: [UInt8]) -> [UInt8] {
        preamble(method: method, requestID: requestID, length: UInt64(body.count)) + body
    }

    /// The handshake carrying `token`.
    static func hello(_ token: String) -> [UInt8] { message(0, 0, Array(token.utf8)) }

    /// A push of gradient 0.5 to w [4] at `version`.
    static func push(version: UInt64 = 0) -> [UInt8] {
        let values = [Float](repeating: 0.5, count: 4)
        return values.withUnsafeBufferPointer { floats in
            WireFormat.encode(WireFrame(
                header: FrameHeader(kind: .pushRequest, requestID: 2, jobID: NativeFuzzer.jobID, senderID: 1),
                entries: [.dense(variableID: 0, partition: 0, version: version, shape: Shape([4]), floats: floats)]))
        }
    }

    /// A pull of every partition of job 1, waiting for `version`.
    static func pull(version: UInt64 = 0) -> [UInt8] {
        WireFormat.encode(WireFrame(
            header: FrameHeader(kind: .pullRequest, requestID: 3, jobID: NativeFuzzer.jobID, senderID: 1),
            entries: [
                .empty(variableID: 0, partition: 0, version: version), .empty(variableID: 1, partition: 0, version: version),
                .empty(variableID: 1, partition: 1, version: version),
            ]))
    }

    /// An input: flags, read sizes, stream.
    static func input(flags: UInt8, sizes: [UInt8] = [], _ stream: [UInt8]) -> [UInt8] {
        [flags, UInt8(sizes.count)] + sizes + stream
    }

    /// Every seed by name.
    static func all() -> [(String, [UInt8])] {
        let token = NativeFuzzer.token
        let session = hello(token) + message(2, 7, push()) + message(1, 8, pull())
        return [
            ("handshake-push-pull", input(flags: 1, session)),
            ("handshake-push-pull-split", input(flags: 1, sizes: [0, 22, 5, 63, 255, 2], session)),
            ("no-token-push-pull", input(flags: 0, hello("") + message(2, 7, push()) + message(1, 8, pull()))),
            ("wrong-token-then-push", input(flags: 1, hello("not-the-token-at-all-0123") + message(2, 7, push()))),
            ("empty-hello-token-required", input(flags: 1, hello("") + message(1, 8, pull()))),
            ("request-before-hello", input(flags: 1, message(2, 7, push()) + hello(token))),
            ("oversize-hello", input(flags: 1, preamble(method: 0, requestID: 0, length: 1 << 40))),
            ("oversize-push-after-hello", input(flags: 1, hello(token) + preamble(method: 2, requestID: 9, length: UInt64.max))),
            ("oversize-push-before-hello", input(flags: 0, preamble(method: 2, requestID: 9, length: 2 << 30) + [UInt8](repeating: 7, count: 64))),
            ("long-poll-pulls-then-idle", input(flags: 5, hello(token) + message(1, 4, pull(version: 9)) + message(1, 5, pull(version: 9))
                + message(1, 6, pull(version: 9)) + message(2, 7, push()))),
            ("hello-only-then-deadline", input(flags: 3, Array(hello(token).prefix(30)))),
            ("silent-then-deadline", input(flags: 2, [])),
            ("bad-magic", input(flags: 0, preamble(method: 0, requestID: 0, length: 0, magic: 0xDEAD_BEEF))),
            ("unknown-method", input(flags: 0, hello("") + preamble(method: 77, requestID: 1, length: 0))),
            ("answer-frame-from-client", input(flags: 0, hello("") + [0x54, 0x44, 0x50, 0x31, 1, 1, 0, 0] + [UInt8](repeating: 0, count: 16))),
            ("second-hello-wrong", input(flags: 1, hello(token) + hello("another-token-0123456789") + message(1, 8, pull()))),
        ]
    }
}
