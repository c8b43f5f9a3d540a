import ClusterAPI
import ClusterRuntime
import Foundation
import TensorWire
import Testing
import Training

/// An exported model carries its job's preprocessing (docs/serving.md#preprocessing): a consumer of the file turns
/// raw rows into the rows the model was trained on and gets the model's accuracy; without it, raw rows mislead.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ExportPreprocessingTests {
    @Test func anExportedModelClassifiesRawRowsWithTheJobsPreprocessing() async throws {
        let cluster = try await InProcessCluster.start(shards: 2, workers: 2, dataRoot: testDataRoot())
        let yaml = try String(contentsOf: packageRoot().appendingPathComponent("examples/cancer-logistic.yaml"), encoding: .utf8)
        let trained = try await cluster.waitForEnd(try await cluster.client.submit(yaml: yaml).id)
        #expect(trained.state.displayName == "SUCCEEDED", "\(trained.reason)")
        #expect(!trained.preprocessing.isEmpty, "GetJob returns the preprocessing the chief declared")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("cancer-\(UInt64.random(in: 1...UInt64.max)).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try await ModelExporter.export(job: trained, to: file)
        await cluster.stop()

        let model = try SafetensorsReader(path: file)
        let preprocessing = try Preprocessing(json: try #require(model.metadata["preprocessing"], "the export's metadata names the preprocessing"))
        #expect(preprocessing.features.count == 30 && preprocessing.standardization != nil)
        let kernel = try model.floats("dense_0/kernel"), bias = try model.floats("dense_0/bias")

        // Every raw row of the CSV, as a user holds them: numbers in the file's units.
        let csv = try Data(contentsOf: URL(fileURLWithPath: testDataRoot() + "/breast_cancer/breast_cancer.csv"))
        let table = try CSVReader.read([UInt8](csv), name: "breast_cancer.csv", label: "target")
        func accuracy(_ row: ([Double]) throws -> [Float]) throws -> Double {
            var right = 0
            for r in 0..<table.rows {
                let raw = (0..<30).map { Double(table.values[r * 30 + $0]) }
                let x = try row(raw)
                let logit = zip(x, kernel).reduce(bias[0]) { $0 + $1.0 * $1.1 }
                if (logit > 0 ? "1" : "0") == table.labels[r] { right += 1 }
            }
            return Double(right) / Double(table.rows)
        }
        let withPreprocessing = try accuracy { try preprocessing.row(numbers: $0) }
        let rawAsIs = try accuracy { $0.map(Float.init) }
        #expect(withPreprocessing >= 0.95, "raw rows through the export's preprocessing: accuracy \(withPreprocessing)")
        #expect(rawAsIs < withPreprocessing, "raw rows fed as they are: \(rawAsIs)")
    }
}
