/// The one error type of TensorWire: a machine-readable code and a sentence naming the problem.
public struct WireError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What kind of problem was found; extensible, compare against the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's stable name, e.g. "truncated".
        public let name: String

        /// Creates a code with a stable name.
        public init(_ name: String) { self.name = name }

        /// The buffer ends before a header, length or region it announces.
        public static let truncated = Code("truncated")
        /// The frame does not start with the magic bytes "TSRW".
        public static let badMagic = Code("badMagic")
        /// The frame's format version is not one this decoder understands.
        public static let unsupportedVersion = Code("unsupportedVersion")
        /// A length field disagrees with the shape, dtype, buffer or frame it belongs to.
        public static let badLength = Code("badLength")
        /// The dtype byte is not a known `DType`, or the dtype cannot be used for the operation.
        public static let badDType = Code("badDType")
        /// A shape has a negative dimension, overflows, or does not fit the encoding.
        public static let badShape = Code("badShape")
        /// The encoding byte is not a known `EntryEncoding`.
        public static let badEncoding = Code("badEncoding")
        /// The frame kind byte is not a known `FrameKind`.
        public static let badFrameKind = Code("badFrameKind")
        /// A flags field has bits this version does not define, or a flag contradicts the entry.
        public static let badFlags = Code("badFlags")
        /// A reserved field or a padding byte is not zero.
        public static let badPadding = Code("badPadding")
        /// The frame's message is not valid UTF-8.
        public static let badUTF8 = Code("badUTF8")
        /// A header or data CRC32C does not match the bytes it covers.
        public static let checksumMismatch = Code("checksumMismatch")
        /// A count or size is larger than the `WireLimits` allow.
        public static let limitExceeded = Code("limitExceeded")
        /// A buffer is not aligned as the operation needs (encode buffers: 8 bytes).
        public static let misaligned = Code("misaligned")
        /// The destination buffer is smaller than the encoded frame.
        public static let bufferTooSmall = Code("bufferTooSmall")

        /// The code's name.
        public var description: String { name }
    }

    /// What kind of problem was found.
    public var code: Code
    /// A sentence naming the problem, e.g. "entry 3 (variable 7): shape [4, -1] has a negative dimension".
    public var message: String

    /// Creates an error from a code and a sentence.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// "badShape: entry 3 (variable 7): shape [4, -1] has a negative dimension".
    public var description: String { "\(code.name): \(message)" }
}
