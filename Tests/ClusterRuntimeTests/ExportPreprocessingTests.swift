import ClusterAPI
import ClusterRuntime
import Foundation
import Logging
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

        // The same file served over TF Serving's REST API (what `workerd --serve-model FILE` runs): raw rows in JSON,
        // probabilities back, the same accuracy.
        let loaded = try ExportedModel.predictor(path: file, backend: CPUBackend())
        #expect(loaded.name == "cancer-logistic" && loaded.step == UInt64(trained.step))
        let server = PredictionHTTPServer(
            address: HostPort(host: "127.0.0.1", port: 0), api: PredictionAPI(name: loaded.name, predictor: loaded.predictor),
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        let task = Task { try await server.run() }
        defer { task.cancel() }
        guard await waitUntil({ server.boundAddress != nil }), let address = server.boundAddress else {
            throw RuntimeFailure(.unavailable, "the prediction server did not start")
        }
        func post(_ path: String, _ body: String) throws -> (status: String, body: [String: Any]) {
            let socket = try RawTCP(address)
            socket.send(Array("POST \(path) HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)".utf8))
            let text = String(decoding: socket.readUntilClosed().bytes, as: UTF8.self)
            let parts = text.components(separatedBy: "\r\n\r\n")
            let json = try JSONSerialization.jsonObject(with: Data((parts.dropFirst().first ?? "").utf8)) as? [String: Any]
            return (parts.first?.components(separatedBy: "\r\n").first ?? "", json ?? [:])
        }
        let rows = (0..<table.rows).map { r in "[" + (0..<30).map { String(table.values[r * 30 + $0]) }.joined(separator: ",") + "]" }
        let answer = try post("/v1/models/cancer-logistic:predict", "{\"instances\": [\(rows.joined(separator: ","))]}")
        #expect(answer.status == "HTTP/1.1 200 OK")
        let predictions = try #require(answer.body["predictions"] as? [[Double]])
        let served = zip(predictions, table.labels).filter { ($0[0] > 0.5 ? "1" : "0") == $1 }.count
        #expect(predictions.count == table.rows && Double(served) / Double(table.rows) >= 0.95, "served accuracy \(served) of \(table.rows)")
        let wrong = try post("/v1/models/cancer-logistic:predict", #"{"instances": [[1, 2]]}"#)
        #expect(wrong.status.hasPrefix("HTTP/1.1 400") && (wrong.body["error"] as? String)?.contains("the model takes 30 features") == true)
    }
}
