import GRPCCore

/// Passes an encoded TensorWire frame through gRPC untouched: no protobuf encoding of tensor data.
struct FrameBytesSerializer: MessageSerializer {
    func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes {
        Bytes(message)
    }
}

/// Receives a TensorWire frame from gRPC as its raw bytes (validated later by the decoder).
struct FrameBytesDeserializer: MessageDeserializer {
    func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> [UInt8] {
        serializedMessageBytes.withUnsafeBytes { raw in
            [UInt8](unsafeUninitializedCapacity: raw.count) { buffer, count in
                if let base = raw.baseAddress, raw.count > 0 {
                    buffer.baseAddress!.initialize(from: base.assumingMemoryBound(to: UInt8.self), count: raw.count)
                }
                count = raw.count
            }
        }
    }
}

/// Method descriptors of the gRPC data plane (`/tessera.v1.DataPlane/Pull`, `/Push`).
enum DataPlaneDescriptors {
    static let service = ServiceDescriptor(fullyQualifiedService: "tessera.v1.DataPlane")

    static func descriptor(_ method: DataPlaneMethod) -> MethodDescriptor {
        MethodDescriptor(service: service, method: method.rawValue)
    }
}
