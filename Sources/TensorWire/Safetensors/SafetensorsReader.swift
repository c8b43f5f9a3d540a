import Foundation

/// Reads and validates a safetensors file; tensor data is read on demand.
public struct SafetensorsReader: Sendable {
    /// The file's path.
    public let path: String
    /// Tensors in data order.
    public let entries: [SafetensorsEntry]
    /// The `__metadata__` strings.
    public let metadata: [String: String]
    private let dataStart: Int
    private let data: Data

    /// Opens and validates the file (header length, JSON, dtypes, shapes, contiguous offsets, file size).
    public init(path: String) throws(SafetensorsError) {
        guard let data = FileManager.default.contents(atPath: path) else { throw SafetensorsError("cannot read \(path)") }
        guard data.count >= 8 else { throw SafetensorsError("\(path) is \(data.count) bytes: too short for a safetensors header") }
        let length = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard length <= UInt64(Safetensors.maxHeaderBytes), Int(length) <= data.count - 8 else {
            throw SafetensorsError("\(path): header length \(length) exceeds the file or the \(Safetensors.maxHeaderBytes)-byte limit")
        }
        let header = [UInt8](data[8..<(8 + Int(length))])
        let parsed: (entries: [SafetensorsEntry], metadata: [String: String])
        do {
            parsed = try Safetensors.parseHeader(header, dataBytes: data.count - 8 - Int(length))
        } catch {
            throw SafetensorsError("\(path): \(error.message)")
        }
        self.path = path
        self.entries = parsed.entries
        self.metadata = parsed.metadata
        self.dataStart = 8 + Int(length)
        self.data = data
    }

    /// The entry named `name`.
    public func entry(_ name: String) -> SafetensorsEntry? { entries.first { $0.name == name } }

    /// A tensor's raw bytes.
    public func bytes(_ name: String) throws(SafetensorsError) -> [UInt8] {
        guard let e = entry(name) else { throw SafetensorsError("\(path) has no tensor \(name)") }
        return [UInt8](data[(dataStart + e.range.lowerBound)..<(dataStart + e.range.upperBound)])
    }

    /// A tensor's values as floats (f32, f16, bf16 and f64 are converted).
    public func floats(_ name: String) throws(SafetensorsError) -> [Float] {
        guard let e = entry(name) else { throw SafetensorsError("\(path) has no tensor \(name)") }
        let raw = try bytes(name)
        var failure: WireError?
        let values = raw.withUnsafeBytes { bytes -> [Float] in
            do throws(WireError) { return try WireFormat.readFloats(bytes, dtype: e.dtype) } catch {
                failure = error
                return []
            }
        }
        if let failure { throw SafetensorsError("\(path): tensor \(name): \(failure.message)") }
        return values
    }
}
