extension WireFormat {
    /// Converts a little-endian payload of `dtype` (f32, f16, bf16, f64) into Float; other dtypes are a `badDType` error.
    public static func readFloats(_ payload: UnsafeRawBufferPointer, dtype: DType) throws(WireError) -> [Float] {
        let count = payload.count / dtype.byteWidth
        var failure: WireError?
        let result = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            do throws(WireError) {
                try readFloats(payload, dtype: dtype, into: buffer)
                initialized = count
            } catch {
                failure = error
                initialized = 0
            }
        }
        if let failure { throw failure }
        return result
    }

    /// Converts a little-endian payload of `dtype` (f32, f16, bf16, f64) into `destination`, whose count must equal the element count.
    public static func readFloats(_ payload: UnsafeRawBufferPointer, dtype: DType, into destination: UnsafeMutableBufferPointer<Float>) throws(WireError) {
        guard payload.count % dtype.byteWidth == 0, payload.count / dtype.byteWidth == destination.count else {
            throw WireError(.badLength, "a payload of \(payload.count) bytes of \(dtype.name) does not hold \(destination.count) elements")
        }
        switch dtype {
        case .f32:
            UnsafeMutableRawBufferPointer(destination).copyMemory(from: payload)
        case .f16:
            HalfPrecision.decodeFloat16(payload, into: destination)
        case .bf16:
            HalfPrecision.decodeBFloat16(payload, into: destination)
        case .f64:
            for i in 0..<destination.count {
                destination[i] = Float(payload.loadUnaligned(fromByteOffset: 8 * i, as: Double.self))
            }
        case .i32, .i64, .u8:
            throw WireError(.badDType, "a \(dtype.name) payload cannot be read as floats")
        }
    }

    /// Writes `source` into a payload region as `dtype` (f32, f16, bf16 rounded to nearest even, f64); the region must be exactly `count × byteWidth` bytes.
    public static func writeFloats(_ source: UnsafeBufferPointer<Float>, as dtype: DType, into payload: UnsafeMutableRawBufferPointer) throws(WireError) {
        guard payload.count == source.count * dtype.byteWidth else {
            throw WireError(.badLength, "\(source.count) elements of \(dtype.name) need \(source.count * dtype.byteWidth) bytes, the region has \(payload.count)")
        }
        switch dtype {
        case .f32:
            payload.copyMemory(from: UnsafeRawBufferPointer(source))
        case .f16:
            HalfPrecision.encodeFloat16(source, into: payload)
        case .bf16:
            HalfPrecision.encodeBFloat16(source, into: payload)
        case .f64:
            for i in 0..<source.count {
                payload.storeBytes(of: Double(source[i]), toByteOffset: 8 * i, as: Double.self)
            }
        case .i32, .i64, .u8:
            throw WireError(.badDType, "floats cannot be written as \(dtype.name)")
        }
    }
}
