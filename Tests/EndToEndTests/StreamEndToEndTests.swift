import Foundation
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension EndToEndProcesses {
    /// Online learning (docs/streams.md): a job trains on a stream of CSV files whose concept changes halfway, served
    /// throughout; real psd, workerd and clusterctl processes, files dropped into the data root the way a producer
    /// should (hidden temporary name, then rename).
    @Suite(.serialized, .timeLimit(.minutes(4)))
    struct StreamEndToEndTests {
        static let features = 10
        static let rowsPerFile = 500
        static let batch = 32
        static let heldOutPerFile = 50  // test_fraction 0.1 of 500

        static func spec(name: String, data: String, training: String, serving: String = "") -> String {
            """
            name: \(name)
            model: {type: logistic}
            data: {format: csv, label: y, normalize: none, batch_size: \(batch), shuffle: true, \(data)}
            optimizer: {type: sgd, learning_rate: 0.1}
            training: {mode: sync, seed: 7, \(training)}
            cluster: {workers: 1, ps_shards: 1}
            \(serving)
            """
        }

        @Test func aServedStreamJobRecoversFromDriftWhileAnsweringThroughout() throws {
            let port = try RestartableCluster.freePort()
            let cluster = try LocalProcesses()
            defer { cluster.stop() }
            let root = cluster.dir.appendingPathComponent("data")
            let streamDir = root.appendingPathComponent("events")
            try FileManager.default.createDirectory(at: streamDir, withIntermediateDirectories: true)
            var data = DriftingData(features: Self.features, seed: 11)

            // Phase A: six files of the first concept, in the stream before the job starts.
            for i in 0..<6 { try Self.drop(data.csv(rows: Self.rowsPerFile, concept: .a), as: String(format: "part-%04d.csv", i), in: streamDir) }
            try cluster.startCluster(shards: 1, workers: 1, dataRoot: root.path, workerArguments: ["--serve-listen", "127.0.0.1:\(port)"])
            let specFile = cluster.dir.appendingPathComponent("stream.yaml")
            try Self.spec(
                name: "events", data: "test_fraction: 0.1, stream: {dir: events, pattern: 'part-*.csv', poll_ms: 50, eval_window: 500}",
                training: "eval_every_steps: 20", serving: "serving: {replicas: 1, refresh_ms: 100}"
            ).write(to: specFile, atomically: true, encoding: .utf8)
            let submitted = try cluster.clusterctl(["submit", specFile.path])
            try #require(submitted.status == 0, "\(submitted.stderr)")
            let base = "http://127.0.0.1:\(port)/v1/models/events"

            // The job trains phase A's rows, then waits for more (a stream has no end): the step stops at A's batches.
            let stepsA = 6 * (Self.rowsPerFile - Self.heldOutPerFile) / Self.batch
            try Self.waitUntil("the job trained phase A (\(stepsA) steps) and the replica serves it") {
                try Self.step(cluster) >= stepsA && (ServingEndToEndTests.servedVersion(base) ?? 0) >= stepsA
            }
            #expect(try Self.step(cluster) == stepsA, "no step without a full batch of new rows")
            #expect(try Self.state(cluster) == "RUNNING")
            let testA = data.rows(2000, concept: .a), testB = data.rows(2000, concept: .b)
            let accuracyA = try Self.accuracy(base, testA)
            #expect(accuracyA >= 0.85, "served accuracy on the first concept (5 % label noise): \(accuracyA)")
            let beforeDrift = try Self.accuracy(base, testB)

            // Predictions are answered throughout the drift: a client asks every 50 ms and counts failures.
            let prober = Prober(url: base + ":predict", body: try JSONSerialization.data(withJSONObject: ["instances": Array(testB.rows.prefix(8))]))
            prober.start()

            // Phase B: the concept changes; sixteen more files arrive one by one.
            for i in 6..<22 {
                try Self.drop(data.csv(rows: Self.rowsPerFile, concept: .b), as: String(format: "part-%04d.csv", i), in: streamDir)
                Thread.sleep(forTimeInterval: 0.05)
            }
            // Bounded: every row of phase B is trained by step stepsAll; the replica then serves that step.
            let stepsAll = 22 * (Self.rowsPerFile - Self.heldOutPerFile) / Self.batch
            try Self.waitUntil("the job trained phase B (\(stepsAll) steps in all) and the replica serves it") {
                try Self.step(cluster) >= stepsAll && (ServingEndToEndTests.servedVersion(base) ?? 0) >= stepsAll
            }
            let recovered = try Self.accuracy(base, testB)
            let probes = prober.stop()
            #expect(probes.answered >= 20 && probes.failed == 0, "predictions while the stream drifted: \(probes)")

            // describe shows the sliding-window evaluation over time: the newest held-out rows, now of concept B.
            let described = try jsonObject(try cluster.clusterctl(["describe", "job-1", "--json"]).stdout)
            let window = try #require(described["eval_metrics"] as? [String: Any])
            #expect(window["count"] as? Int == 500, "the evaluation window's rows: \(window)")
            let evaluations = (described["history"] as? [[String: Any]] ?? []).filter { $0["kind"] as? String == "eval" }
            let accuracies = evaluations.compactMap { ($0["metrics"] as? [String: Any])?["accuracy"] as? Double }
            #expect(accuracies.count >= 10, "periodic window evaluations: \(accuracies)")
            #expect((accuracies.last ?? 0) >= 0.85, "the window's accuracy after the drift: \(accuracies)")
            let text = try cluster.clusterctl(["describe", "job-1"]).stdout
            #expect(text.contains("events/part-*.csv") && text.contains("(500 examples: the stream's newest)"), "\(text)")
            #expect(try cluster.clusterctl(["cancel", "job-1"]).status == 0)

            // The same model trained on the new concept alone, from scratch, on as many rows of it (and more).
            try Self.drop(data.csv(rows: 16 * Self.rowsPerFile, concept: .b), as: "b-train.csv", in: root)
            try Self.drop(Self.csv(testB), as: "b-test.csv", in: root)
            let referenceFile = cluster.dir.appendingPathComponent("reference.yaml")
            try Self.spec(name: "reference", data: "train: b-train.csv, test: b-test.csv", training: "epochs: 1")
                .write(to: referenceFile, atomically: true, encoding: .utf8)
            let reference = try cluster.clusterctl(["submit", referenceFile.path, "--follow"])
            #expect(reference.status == 0, "\(reference.stderr)")
            let referenceAccuracy = try #require(
                (try jsonObject(try cluster.clusterctl(["describe", "job-2", "--json"]).stdout)["eval_metrics"] as? [String: Any])?["accuracy"] as? Double)
            print("stream drift: served accuracy on concept A \(accuracyA), on B before the drift \(beforeDrift), after \(recovered); "
                + "reference (B alone) \(referenceAccuracy); predictions answered \(probes.answered), failed \(probes.failed); steps \(stepsAll)")
            #expect(beforeDrift < referenceAccuracy - 0.2, "the drift is real: \(beforeDrift) on the new concept before it")
            #expect(recovered >= referenceAccuracy - 0.02,
                    "served accuracy on the new concept \(recovered) within 2 points of a model trained on it alone (\(referenceAccuracy))")
        }

        // MARK: Helpers

        static func drop(_ text: String, as name: String, in dir: URL) throws {
            let temporary = dir.appendingPathComponent(".\(name).tmp")
            try Data(text.utf8).write(to: temporary)
            try FileManager.default.moveItem(at: temporary, to: dir.appendingPathComponent(name))
        }

        static func csv(_ data: (rows: [[Double]], labels: [Int])) -> String {
            let header = (0..<features).map { "f\($0)" }.joined(separator: ",") + ",y\n"
            return header + zip(data.rows, data.labels).map { row, label in
                row.map { String(format: "%.5f", $0) }.joined(separator: ",") + ",\(label)"
            }.joined(separator: "\n") + "\n"
        }

        static func step(_ cluster: LocalProcesses) throws -> Int {
            try jsonObject(cluster.clusterctl(["describe", "job-1", "--json"]).stdout)["step"] as? Int ?? 0
        }

        static func state(_ cluster: LocalProcesses) throws -> String {
            try jsonObject(cluster.clusterctl(["describe", "job-1", "--json"]).stdout)["state"] as? String ?? ""
        }

        static func waitUntil(_ what: String, seconds: Double = 90, _ condition: () throws -> Bool) throws {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if try condition() { return }
                Thread.sleep(forTimeInterval: 0.2)
            }
            throw E2EError("timed out waiting until \(what)")
        }

        /// The served model's accuracy on raw rows, through TF Serving's REST API.
        static func accuracy(_ base: String, _ data: (rows: [[Double]], labels: [Int])) throws -> Double {
            let answer = try Prober.post(base + ":predict", try JSONSerialization.data(withJSONObject: ["instances": data.rows]))
            let predictions = try #require(try jsonObject(answer)["predictions"] as? [[Double]])
            let right = zip(predictions, data.labels).filter { ($0.first ?? 0) > 0.5 ? $1 == 1 : $1 == 0 }.count
            return Double(right) / Double(data.labels.count)
        }
    }
}

/// Two linear concepts over the same features (independent normal weights), labels with 5 % noise.
struct DriftingData {
    enum Concept { case a, b }
    let features: Int
    private var rng: SplitMix
    private let weightsA: [Double]
    private let weightsB: [Double]

    init(features: Int, seed: UInt64) {
        self.features = features
        var rng = SplitMix(seed)
        weightsA = (0..<features).map { _ in rng.normal() }
        weightsB = (0..<features).map { _ in rng.normal() }
        self.rng = rng
    }

    mutating func rows(_ n: Int, concept: Concept) -> (rows: [[Double]], labels: [Int]) {
        let w = concept == .a ? weightsA : weightsB
        var rows: [[Double]] = [], labels: [Int] = []
        for _ in 0..<n {
            let x = (0..<features).map { _ in rng.normal() }
            var label = zip(x, w).map(*).reduce(0, +) > 0 ? 1 : 0
            if rng.unit() < 0.05 { label = 1 - label }
            rows.append(x)
            labels.append(label)
        }
        return (rows, labels)
    }

    mutating func csv(rows n: Int, concept: Concept) -> String {
        EndToEndProcesses.StreamEndToEndTests.csv(rows(n, concept: concept))
    }
}

/// A seeded generator for test data.
struct SplitMix {
    private var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func normal() -> Double { (-2 * log(max(unit(), 1e-12))).squareRoot() * cos(2 * .pi * unit()) }
}

/// Sends the same prediction request every 50 ms on its own thread and counts what was answered.
final class Prober: @unchecked Sendable {
    let url: String
    let body: Data
    private let lock = NSLock()
    private var answered = 0
    private var failures: [String] = []
    private var running = true
    private var thread: Thread?

    init(url: String, body: Data) {
        self.url = url
        self.body = body
    }

    func start() {
        let thread = Thread { [self] in
            while lock.withLock({ running }) {
                do {
                    let answer = try Self.post(url, body)
                    lock.withLock { if answer.contains("predictions") { answered += 1 } else { failures.append(String(answer.prefix(200))) } }
                } catch {
                    lock.withLock { failures.append("\(error)") }
                }
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        self.thread = thread
        thread.start()
    }

    func stop() -> (answered: Int, failed: Int, failures: [String]) {
        lock.withLock { running = false }
        Thread.sleep(forTimeInterval: 0.2)
        return lock.withLock { (answered, failures.count, Array(failures.prefix(3))) }
    }

    /// POSTs `body` and returns the answer's text; throws unless the status is 200.
    static func post(_ url: String, _ body: Data) throws -> String {
        var request = URLRequest(url: URL(string: url)!, timeoutInterval: 10)
        request.httpMethod = "POST"
        request.httpBody = body
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: Result<String, any Error> = .failure(E2EError("no answer"))
        URLSession.shared.dataTask(with: request) { data, response, error in
            defer { done.signal() }
            if let error { result = .failure(error); return }
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            let text = String(decoding: data ?? Data(), as: UTF8.self)
            result = status == 200 ? .success(text) : .failure(E2EError("HTTP \(status): \(text.prefix(200))"))
        }.resume()
        _ = done.wait(timeout: .now() + 12)
        return try result.get()
    }
}
