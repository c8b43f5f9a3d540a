import Foundation
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension EndToEndProcesses {
    /// A job served while it trains (docs/serving.md): real psd, workerd and clusterctl processes; a TensorFlow
    /// Serving REST client sends raw CSV rows to the replica the coordinator placed on the worker.
    @Suite(.serialized, .timeLimit(.minutes(4)))
    struct ServingEndToEndTests {
        static let spec = """
            name: cancer-live
            \(cancerLogisticJob)
            training:
              mode: async
              max_steps: 6000
              eval_every_steps: 1000
              seed: 7
            cluster:
              workers: 1
              ps_shards: 1
            serving:
              replicas: 1
              refresh_ms: 100
            """

        @Test func aServedJobAnswersRawRowsWhileItTrainsAndWithItsFinalModelAfterward() throws {
            let port = try RestartableCluster.freePort()
            let cluster = try LocalProcesses()
            defer { cluster.stop() }
            try cluster.startCluster(shards: 1, workers: 1, dataRoot: testDataRoot(), workerArguments: ["--serve-listen", "127.0.0.1:\(port)"])
            let specFile = cluster.dir.appendingPathComponent("cancer-live.yaml")
            try Self.spec.write(to: specFile, atomically: true, encoding: .utf8)
            #expect(try cluster.clusterctl(["submit", specFile.path]).status == 0)

            // Raw rows as a user holds them: the CSV's numbers in their units, not standardised.
            let (rows, labels) = try Self.cancerRows()
            let request = cluster.dir.appendingPathComponent("rows.json")
            try JSONSerialization.data(withJSONObject: ["instances": rows]).write(to: request)
            let base = "http://127.0.0.1:\(port)/v1/models/cancer-live"

            // While the job trains the replica answers, and the step it serves moves forward.
            var versionsWhileRunning: Set<Int> = []
            let deadline = Date().addingTimeInterval(120)
            var state = ""
            while Date() < deadline {
                state = try jobState(cluster)
                if state != "RUNNING" && state != "PENDING" { break }
                if let version = Self.servedVersion(base) {
                    versionsWhileRunning.insert(version)
                    let answer = try cluster.clusterctl(["predict", "job-1", request.path])
                    #expect(answer.status == 0, "\(answer.stderr)")
                    #expect(try Self.predictions(answer.stdout).count == rows.count)
                }
                Thread.sleep(forTimeInterval: 0.3)
            }
            #expect(state == "SUCCEEDED")
            #expect(versionsWhileRunning.count >= 2, "served steps seen while training: \(versionsWhileRunning.sorted())")

            // describe and nodes show where the replica answers and what it serves.
            let described = try jsonObject(try cluster.clusterctl(["describe", "job-1", "--json"]).stdout)
            let serving = try #require(described["serving"] as? [String: Any], "describe --json shows a served job's replicas")
            let replica = try #require((serving["placed"] as? [[String: Any]])?.first)
            #expect(serving["refresh_ms"] as? Int == 100 && replica["url"] as? String == base && replica["node"] as? String == "worker-0")
            let nodes = try #require(try JSONSerialization.jsonObject(with: Data(try cluster.clusterctl(["nodes", "--json"]).stdout.utf8)) as? [[String: Any]])
            let worker = try #require(nodes.first { $0["name"] as? String == "worker-0" })
            #expect(worker["serving_address"] as? String == "127.0.0.1:\(port)" && worker["serving"] as? [String] == ["job-1"])

            // After the job ends the replica serves the final model (its last step) and classifies raw rows.
            let final = try #require(try jsonObject(cluster.clusterctl(["describe", "job-1", "--json"]).stdout)["step"] as? Int)
            var served: Int?
            for _ in 0..<50 {
                served = Self.servedVersion(base)
                if served == final { break }
                Thread.sleep(forTimeInterval: 0.2)
            }
            #expect(served == final, "the replica serves step \(served ?? -1), the job ended at \(final)")
            let answer = try cluster.clusterctl(["predict", "job-1", request.path])
            let probabilities = try Self.predictions(answer.stdout).map { $0.first ?? -1 }
            let right = zip(probabilities, labels).filter { ($0 > 0.5 ? 1 : 0) == $1 }.count
            let accuracy = Double(right) / Double(labels.count)
            #expect(accuracy >= 0.95, "accuracy of the served model on every raw row: \(accuracy)")

            // A bad request is refused naming the problem; unserving stops the replica.
            let bad = cluster.dir.appendingPathComponent("bad.json")
            try Data(#"{"instances": [[1, 2, 3]]}"#.utf8).write(to: bad)
            let refused = try cluster.clusterctl(["predict", "job-1", bad.path])
            #expect(refused.status != 0 && refused.stderr.contains("400"), "\(refused.stderr)")
            #expect(try cluster.clusterctl(["unserve", "job-1"]).status == 0)
            var gone = false
            for _ in 0..<50 where !gone {
                gone = Self.servedVersion(base) == nil
                if !gone { Thread.sleep(forTimeInterval: 0.2) }
            }
            #expect(gone, "the replica stops answering once the job is unserved")
        }

        private func jobState(_ cluster: LocalProcesses) throws -> String {
            try jsonObject(cluster.clusterctl(["describe", "job-1", "--json"]).stdout)["state"] as? String ?? ""
        }

        /// Every row of the breast-cancer CSV (30 raw numbers) and its label.
        static func cancerRows() throws -> (rows: [[Double]], labels: [Int]) {
            let text = try String(contentsOfFile: testDataRoot() + "/breast_cancer/breast_cancer.csv", encoding: .utf8)
            var rows: [[Double]] = [], labels: [Int] = []
            for line in text.split(separator: "\n").dropFirst() {
                let cells = line.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
                guard cells.count == 31 else { continue }
                rows.append(Array(cells.prefix(30)))
                labels.append(Int(cells[30]))
            }
            return (rows, labels)
        }

        /// The served version from GET /v1/models/NAME (TF Serving's model status), nil when it does not answer 200.
        static func servedVersion(_ base: String) -> Int? {
            guard let url = URL(string: base) else { return nil }
            let done = DispatchSemaphore(value: 0)
            nonisolated(unsafe) var version: Int?
            let task = URLSession.shared.dataTask(with: URLRequest(url: url, timeoutInterval: 5)) { data, response, _ in
                defer { done.signal() }
                guard (response as? HTTPURLResponse)?.statusCode == 200, let data,
                    let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                    let status = (object["model_version_status"] as? [[String: Any]])?.first,
                    let text = status["version"] as? String
                else { return }
                version = Int(text)
            }
            task.resume()
            _ = done.wait(timeout: .now() + 6)
            return version
        }

        /// The rows of {"predictions": [[p], …]}.
        static func predictions(_ text: String) throws -> [[Double]] {
            try #require(try jsonObject(text)["predictions"] as? [[Double]], "not a predictions answer: \(text.prefix(200))")
        }
    }
}
