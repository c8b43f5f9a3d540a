import Foundation

/// Reads and validates a safetensors file held in memory; tensor data is converted on demand.
///
/// Errors name the file and the problem, never its bytes: a file that is not safetensors at all (say, a
/// system file) gets a sentence without any of its contents.
public struct SafetensorsReader: Sendable {
    /// The file's path (or the name given for bytes read elsewhere), for messages.
    public let path: String
    /// Tensors in data order.
    public let entries: [SafetensorsEntry]
    /// The `__metadata__` strings.
    public let metadata: [String: String]
    private let dataStart: Int
    private let data: Data

    /// Reads the whole file and validates it (header length, JSON, dtypes, shapes, contiguous offsets, file size).
    public init(path: String) throws(SafetensorsError) {
        guard let data = FileManager.default.contents(atPath: path) else { throw SafetensorsError("cannot read \(path)") }
        try self.init(data: data, name: path)
    }

    /// Validates a file's bytes already read (once) by the caller; `name` names it in messages.
    public init(data: Data, name: String) throws(SafetensorsError) {
        guard data.count >= 8 else { throw SafetensorsError("\(name) is \(data.count) bytes: too short for a safetensors header") }
        let length = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        // The length is the file's first 8 bytes: said to be too large, never echoed (it may be any file's text).
        guard length <= UInt64(Safetensors.maxHeaderBytes), Int(length) <= data.count - 8 else {
            throw SafetensorsError(
                "\(name) is not a safetensors file: its header length runs past its \(data.count) bytes or the \(Safetensors.maxHeaderBytes)-byte limit")
        }
        let start = data.startIndex
        let header = [UInt8](data[(start + 8)..<(start + 8 + Int(length))])
        let parsed: (entries: [SafetensorsEntry], metadata: [String: String])
        do {
            parsed = try Safetensors.parseHeader(header, dataBytes: data.count - 8 - Int(length))
        } catch {
            throw SafetensorsError("\(name): \(error.message)")
        }
        self.path = name
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
        return slice(e.range)
    }

    /// A tensor's values as floats (f32, f16, bf16 and f64 are converted).
    public func floats(_ name: String) throws(SafetensorsError) -> [Float] {
        guard let e = entry(name) else { throw SafetensorsError("\(path) has no tensor \(name)") }
        return try floats(e, bytes: e.range)
    }

    /// Elements `elements` (row-major positions) of a tensor as floats, converting only those.
    public func floats(_ name: String, elements: Range<Int>) throws(SafetensorsError) -> [Float] {
        guard let e = entry(name) else { throw SafetensorsError("\(path) has no tensor \(name)") }
        let width = e.dtype.byteWidth
        guard elements.lowerBound >= 0, case let (first, false) = elements.lowerBound.multipliedReportingOverflow(by: width),
            case let (last, false) = elements.upperBound.multipliedReportingOverflow(by: width), last <= e.range.count
        else {
            throw SafetensorsError("\(path): tensor \(name) has no elements \(elements.lowerBound)..<\(elements.upperBound)")
        }
        return try floats(e, bytes: (e.range.lowerBound + first)..<(e.range.lowerBound + last))
    }

    private func floats(_ e: SafetensorsEntry, bytes range: Range<Int>) throws(SafetensorsError) -> [Float] {
        let raw = slice(range)
        var failure: WireError?
        let values = raw.withUnsafeBytes { bytes -> [Float] in
            do throws(WireError) { return try WireFormat.readFloats(bytes, dtype: e.dtype) } catch {
                failure = error
                return []
            }
        }
        if let failure { throw SafetensorsError("\(path): tensor \(e.name): \(failure.message)") }
        return values
    }

    /// Bytes `range` of the data section (validated against the file when the header was parsed).
    private func slice(_ range: Range<Int>) -> [UInt8] {
        let base = data.startIndex + dataStart
        return [UInt8](data[(base + range.lowerBound)..<(base + range.upperBound)])
    }
}
