import Foundation
import TensorWire

/// Feeds a fuzz input to the safetensors header parser and, when it looks like a file (8-byte
/// length then `{`) worth reading, to `SafetensorsReader` through a scratch file, reading every tensor back.
enum SafetensorsFuzzer {
    /// Scratch file reused for every input of this process.
    static let scratch = FileManager.default.temporaryDirectory
        .appendingPathComponent("fuzz-tensorwire-\(ProcessInfo.processInfo.processIdentifier).safetensors").path

    /// Runs the input through both safetensors entries.
    static func exercise(_ input: [UInt8]) {
        guard input.count >= 9, input[8] == UInt8(ascii: "{") else {
            _ = try? Safetensors.parseHeader(input, dataBytes: input.count)
            return
        }
        let length = input.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        let header = length <= UInt64(input.count - 8) ? Array(input[8..<(8 + Int(length))]) : Array(input[8...])
        let parsed = try? Safetensors.parseHeader(header, dataBytes: max(0, input.count - 8 - header.count))
        // The reader adds file handling and tensor reads on top of parseHeader: worth a file write
        // only for inputs whose header parses, or whose length field is out of range (1 in 16 of the rest).
        guard parsed != nil || length > UInt64(input.count - 8) || input.count % 16 == 0 else { return }
        guard FileManager.default.createFile(atPath: scratch, contents: Data(input)) else { return }
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        guard let reader = try? SafetensorsReader(path: scratch) else { return }
        for entry in reader.entries {
            _ = try? reader.bytes(entry.name)
            _ = try? reader.floats(entry.name)
        }
    }
}
