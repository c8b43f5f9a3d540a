import NIOCore

/// What a native data-plane message is: the handshake or one of the data-plane calls.
enum NativeMethod: UInt8, Sendable {
    /// First message on a connection: carries the bearer token (possibly empty).
    case hello = 0
    /// `DataPlaneMethod.pull`.
    case pull = 1
    /// `DataPlaneMethod.push`.
    case push = 2

    init(_ method: DataPlaneMethod) {
        switch method {
        case .pull: self = .pull
        case .push: self = .push
        }
    }

    /// The data-plane call, nil for the handshake.
    var dataPlaneMethod: DataPlaneMethod? {
        switch self {
        case .hello: nil
        case .pull: .pull
        case .push: .push
        }
    }
}

/// The fixed 24-byte preamble in front of every native data-plane message (little-endian):
/// magic u32 · method u8 · flags u8 · status u16 · request id u64 · body length u64.
///
/// Requests carry a TensorWire frame (or the token, for the handshake) as body; answers carry the
/// TensorWire response frame when `status` is 0, otherwise a UTF-8 sentence naming the problem.
/// `status` uses the gRPC status code numbers.
struct NativePreamble: Sendable, Equatable {
    /// "TDP1" read as a little-endian u32.
    static let magic: UInt32 = 0x3150_4454
    /// Encoded size.
    static let size = 24
    /// `flags` bit set on answers.
    static let responseFlag: UInt8 = 1

    var method: NativeMethod
    var isResponse: Bool
    var status: UInt16
    var requestID: UInt64
    var length: UInt64

    /// Writes the 24 bytes at `destination` (at least `size` bytes).
    func write(to destination: UnsafeMutableRawPointer) {
        destination.storeBytes(of: Self.magic.littleEndian, toByteOffset: 0, as: UInt32.self)
        destination.storeBytes(of: method.rawValue, toByteOffset: 4, as: UInt8.self)
        destination.storeBytes(of: isResponse ? Self.responseFlag : 0, toByteOffset: 5, as: UInt8.self)
        destination.storeBytes(of: status.littleEndian, toByteOffset: 6, as: UInt16.self)
        destination.storeBytes(of: requestID.littleEndian, toByteOffset: 8, as: UInt64.self)
        destination.storeBytes(of: length.littleEndian, toByteOffset: 16, as: UInt64.self)
    }

    /// The encoded bytes.
    var bytes: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: Self.size) { buffer, count in
            write(to: UnsafeMutableRawPointer(buffer.baseAddress!))
            count = Self.size
        }
    }

    /// Parses and validates 24 bytes; `maxLength` bounds the body before anything is allocated.
    static func parse(_ raw: UnsafeRawBufferPointer, maxLength: UInt64) throws(NativeFramingError) -> NativePreamble {
        precondition(raw.count >= size)
        let magic = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
        let requestID = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        guard magic == Self.magic else {
            throw NativeFramingError(.invalidArgument, requestID: 0, "bad preamble magic 0x\(String(magic, radix: 16)): not a Tessera native data-plane peer")
        }
        let methodByte = raw[4]
        guard let method = NativeMethod(rawValue: methodByte) else {
            throw NativeFramingError(.invalidArgument, requestID: requestID, "unknown data-plane method \(methodByte)")
        }
        let flags = raw[5]
        guard flags & ~responseFlag == 0 else {
            throw NativeFramingError(.invalidArgument, requestID: requestID, "unknown preamble flags 0x\(String(flags, radix: 16))")
        }
        let length = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
        guard length <= maxLength else {
            throw NativeFramingError(.resourceExhausted, requestID: requestID, "message of \(length) bytes exceeds the limit of \(maxLength) bytes")
        }
        return NativePreamble(
            method: method, isResponse: flags & responseFlag != 0,
            status: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 6, as: UInt16.self)),
            requestID: requestID, length: length)
    }
}

/// A preamble that cannot be accepted; the connection is answered with `code` and closed.
struct NativeFramingError: Error, Sendable {
    var code: RuntimeFailure.Code
    var requestID: UInt64
    var message: String

    init(_ code: RuntimeFailure.Code, requestID: UInt64, _ message: String) {
        self.code = code
        self.requestID = requestID
        self.message = message
    }
}

/// One whole native message: its preamble and its body, read into one contiguous buffer.
struct NativeMessage: Sendable {
    var preamble: NativePreamble
    var body: NativeBody
}

/// A message body as the decoder assembled it: a (recycled) NIO buffer for the client, which decodes
/// answers in place, or an array for the server, whose `DataPlaneHandler` takes arrays.
enum NativeBody: Sendable {
    /// Bytes in a NIO buffer.
    case buffer(ByteBuffer)
    /// Bytes in an array.
    case array([UInt8])

    /// The body as an array (copied only from a buffer).
    var bytes: [UInt8] {
        switch self {
        case .buffer(let buffer): Array(buffer.readableBytesView)
        case .array(let array): array
        }
    }

    /// The body as a NIO buffer (copied only from an array).
    var buffer: ByteBuffer {
        switch self {
        case .buffer(let buffer): buffer
        case .array(let array): ByteBuffer(bytes: array)
        }
    }
}

/// Settings of the native data-plane transport shared by server and client.
public struct NativeTransportLimits: Sendable {
    /// Largest message body accepted (checked before allocating); default 2 GiB.
    public var maxMessageBytes: UInt64
    /// Largest handshake body (the token).
    public var maxHelloBytes: UInt64
    /// SO_SNDBUF / SO_RCVBUF of data-plane sockets.
    public var socketBufferBytes: Int
    /// Largest single read from a socket.
    public var maxReadBytes: Int
    /// Server: requests of one connection served at once; later ones wait in the socket (reads pause).
    public var maxRequestsInFlight: Int
    /// Server: a connection that has not completed its handshake by then is answered DEADLINE_EXCEEDED and closed.
    public var handshakeTimeout: Duration

    /// Creates limits; the defaults suit loopback and LAN links.
    public init(
        maxMessageBytes: UInt64 = 2 << 30, maxHelloBytes: UInt64 = 64 << 10, socketBufferBytes: Int = 4 << 20, maxReadBytes: Int = 4 << 20,
        maxRequestsInFlight: Int = 128, handshakeTimeout: Duration = .seconds(10)
    ) {
        self.maxMessageBytes = maxMessageBytes
        self.maxHelloBytes = maxHelloBytes
        self.socketBufferBytes = socketBufferBytes
        self.maxReadBytes = maxReadBytes
        self.maxRequestsInFlight = maxRequestsInFlight
        self.handshakeTimeout = handshakeTimeout
    }

    /// The defaults.
    public static let `default` = NativeTransportLimits()
}

extension RuntimeFailure.Code {
    /// The gRPC status code number of this failure (as sent in native preambles).
    var statusNumber: UInt16 {
        switch self {
        case .cancelled: 1
        case .invalidArgument: 3
        case .deadlineExceeded: 4
        case .notFound: 5
        case .alreadyExists: 6
        case .resourceExhausted: 8
        case .failedPrecondition: 9
        case .aborted: 10
        case .outOfRange: 11
        case .unimplemented: 12
        case .internalError: 13
        case .unavailable: 14
        case .dataLoss: 15
        case .unauthenticated: 16
        }
    }

    /// The failure code of a gRPC status code number (unknown numbers are internal errors).
    init(statusNumber: UInt16) {
        switch statusNumber {
        case 1: self = .cancelled
        case 3: self = .invalidArgument
        case 4: self = .deadlineExceeded
        case 5: self = .notFound
        case 6: self = .alreadyExists
        case 7, 16: self = .unauthenticated
        case 8: self = .resourceExhausted
        case 9: self = .failedPrecondition
        case 10: self = .aborted
        case 11: self = .outOfRange
        case 12: self = .unimplemented
        case 14: self = .unavailable
        case 15: self = .dataLoss
        default: self = .internalError
        }
    }
}
