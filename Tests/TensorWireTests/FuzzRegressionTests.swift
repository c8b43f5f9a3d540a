import Foundation
import Testing
import TensorWire

/// Inputs that once trapped a decoder (found while fuzzing or writing the fuzz targets, see docs/reliability.md); each must now
/// give a typed error. The same bytes live in Tests/FuzzCorpus so `fuzz-tensorwire` replays them too.
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    @Test("a safetensors shape whose byte size overflows Int is an error, not an arithmetic-overflow trap")
    func safetensorsShapeOverflow() throws {
        // 2^61 f64 elements: the element count fits in an Int, the byte count (× 8) does not.
        let header = Array(#"{"a":{"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,0]}}"#.utf8)
        #expect(throws: SafetensorsError.self) { try Safetensors.parseHeader(header, dataBytes: 0) }

        var file = withUnsafeBytes(of: UInt64(header.count).littleEndian) { Array($0) }
        file += header
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("overflow-\(UUID().uuidString).safetensors").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(file)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: SafetensorsError.self) { try SafetensorsReader(path: path) }
    }
}
