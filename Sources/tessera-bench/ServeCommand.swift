import ArgumentParser
import ClusterRuntime
import Foundation
import JobSpec
import TensorWire
import Training

/// `tessera-bench serve`: predictions per second and latency of `workerd --serve-model` (TensorFlow Serving's REST
/// API) against the serving peer a Python user writes for the same exported weights (`torch_serve.py`: FastAPI +
/// uvicorn + PyTorch), both loaded by `wrk` with the same request bodies, interleaved per configuration; and the same
/// workerd's gRPC `Predict` loaded by `GRPCLoad` with the same instances. A `FixedHTTPResponder` that answers the same
/// bytes without doing any work, loaded the same way, gives each configuration's ceiling (`--no-ceiling` skips it).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Prediction serving (HTTP, TF Serving REST API, and gRPC Predict) vs the FastAPI + PyTorch peer, loaded by wrk.")

    @Option(help: "Instances per request (comma-separated).")
    var batches = "1,64"

    @Option(help: "Concurrent connections (comma-separated).")
    var connections = "1,32"

    @Option(help: "Seconds of load per run.")
    var seconds = 8

    @Option(help: "Directory of the reference peers (torch_serve.py); empty skips the peer.")
    var peerDir = "../shared/peer"

    @Option(help: "Directory holding the release workerd (default: beside tessera-bench).")
    var bin: String?

    @Flag(inversion: .prefixedNo, help: "Also load the workerd's gRPC Predict (tessera-bench's own load generator, the same clients and instances).")
    var grpc = true

    @Flag(inversion: .prefixedNo, help: "Also load a responder that answers the same bytes doing no work: the ceiling of wrk + loopback TCP here.")
    var ceiling = true

    struct Run {
        var rps: Double
        var p50: Double
        var p99: Double
        /// CPU of the load generator per request, in ms (gRPC: tessera-bench's own client; nan for wrk).
        var clientCPUms: Double = .nan
        /// CPU of the serving workerd per request, in ms (from /proc; nan where unreadable).
        var serverCPUms: Double = .nan
    }

    func run() async throws {
        guard Self.which("wrk") else { throw BenchFailure("wrk is not installed (apt-get install wrk; scripts/bench serve installs it)") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = dir.appendingPathComponent("mnist.safetensors").path
        try Self.writeExport(to: model)
        let binDir = bin.map { URL(fileURLWithPath: $0) } ?? BenchCluster.defaultBinDirectory()

        let tesseraPort = 18_500 + Int.random(in: 0..<400), peerPort = tesseraPort + 500
        let grpcAddress = HostPort(host: "127.0.0.1", port: tesseraPort + 1)
        let tessera = try Self.start(binDir.appendingPathComponent("workerd").path,
                                     ["--serve-model", model, "--serve-listen", "127.0.0.1:\(tesseraPort)", "--serve-name", "mnist", "--threads", "1", "--log-level", "warning"]
                                        + (grpc ? ["--serve-grpc-listen", grpcAddress.description] : []), log: dir.appendingPathComponent("workerd.log"))
        defer { Self.stop(tessera) }
        var peer: Process?
        var peerNote = "not run"
        let script = URL(fileURLWithPath: peerDir).appendingPathComponent("torch_serve.py").path
        if !peerDir.isEmpty, FileManager.default.fileExists(atPath: script) {
            if TorchPeer.run(["python3", "-c", "import torch, fastapi, uvicorn"], environment: [:]) != nil {
                peer = try Self.start("/usr/bin/env", ["python3", script, model, "--port", "\(peerPort)", "--name", "mnist", "--threads", "1"],
                                      log: dir.appendingPathComponent("peer.log"))
            } else {
                peerNote = "`python3 -c 'import torch, fastapi, uvicorn'` fails (see ../shared/peer/README.md)"
            }
        }
        defer { if let peer { Self.stop(peer) } }
        try await Self.waitForHTTP(port: tesseraPort, what: "workerd --serve-model")
        if grpc { try await GRPCLoad.waitForServer(grpcAddress, model: "mnist") }
        if peer != nil { try await Self.waitForHTTP(port: peerPort, what: "torch_serve.py", seconds: 60) }

        var rows: [[String]] = [], runs: [[String: Any]] = []
        var headline: (Run, Run?, Run?)?
        /// Batch 1 at the fewest clients: one round trip at a time (issue 14's target holds there too), and its ceiling.
        var oneClient: (Run, Run?)?
        var oneClientCeiling: Run?
        let loadBefore = Self.loadAverage()
        for batch in batches.split(separator: ",").compactMap({ Int($0) }) {
            let body = dir.appendingPathComponent("body-\(batch).json")
            let pixels = Self.rows(batch: batch)
            try Self.requestBody(pixels).write(to: body)
            let grpcRequest = GRPCLoad.request(model: "mnist", rows: pixels)
            let responder = try ceiling ? Self.fixedResponder(answering: body.path, like: tesseraPort) : nil
            defer { responder?.stop() }
            for conns in connections.split(separator: ",").compactMap({ Int($0) }) {
                var cpu = Self.cpuSeconds(of: tessera)
                var mine = try Self.wrk(port: tesseraPort, body: body.path, connections: conns, seconds: seconds)
                mine.serverCPUms = Self.perRequestMs(Self.cpuSeconds(of: tessera) - cpu, mine, seconds)
                let theirs = peer == nil ? nil : try Self.wrk(port: peerPort, body: body.path, connections: conns, seconds: seconds)
                let bound = try responder.map { try Self.wrk(port: $0.port, body: body.path, connections: conns, seconds: seconds) }
                cpu = Self.cpuSeconds(of: tessera)
                var overGRPC = grpc ? try await GRPCLoad.run(grpcAddress, request: grpcRequest, clients: conns, seconds: seconds) : nil
                let grpcServerCPU = Self.perRequestMs(Self.cpuSeconds(of: tessera) - cpu, overGRPC, seconds)
                overGRPC?.serverCPUms = grpcServerCPU
                if batch == 1, conns == connections.split(separator: ",").compactMap({ Int($0) }).max() { headline = (mine, theirs, overGRPC) }
                if batch == 1, conns == connections.split(separator: ",").compactMap({ Int($0) }).min() { (oneClient, oneClientCeiling) = ((mine, theirs), bound) }
                rows.append([
                    "\(batch)", "\(conns)", String(format: "%.0f", mine.rps), String(format: "%.2f", mine.p50), String(format: "%.2f", mine.p99),
                    String(format: "%.3f", mine.serverCPUms),
                    overGRPC.map { String(format: "%.0f", $0.rps) } ?? "-", overGRPC.map { String(format: "%.2f", $0.p50) } ?? "-",
                    overGRPC.map { String(format: "%.2f", $0.p99) } ?? "-", overGRPC.map { String(format: "%.3f", $0.serverCPUms) } ?? "-",
                    overGRPC.map { String(format: "%.3f", $0.clientCPUms) } ?? "-",
                    theirs.map { String(format: "%.0f", $0.rps) } ?? "-", theirs.map { String(format: "%.2f", $0.p50) } ?? "-",
                    theirs.map { String(format: "%.2f", $0.p99) } ?? "-", theirs.map { String(format: "%.1f×", mine.rps / $0.rps) } ?? "-",
                    bound.map { String(format: "%.0f", $0.rps) } ?? "-", bound.map { String(format: "%.2f", $0.p99) } ?? "-",
                    bound.map { String(format: "%.0f%%", 100 * mine.rps / $0.rps) } ?? "-",
                    bound.flatMap { b in theirs.map { String(format: "%.1f×", b.rps / $0.rps) } } ?? "-",
                ])
                var run: [String: Any] = [
                    "batch": batch, "connections": conns, "rps": BenchOutput.round3(mine.rps), "p50_ms": mine.p50, "p99_ms": mine.p99,
                    "server_cpu_ms_per_request": BenchOutput.round3(mine.serverCPUms),
                ]
                if let overGRPC {
                    run["grpc_rps"] = BenchOutput.round3(overGRPC.rps)
                    run["grpc_p50_ms"] = BenchOutput.round3(overGRPC.p50)
                    run["grpc_p99_ms"] = BenchOutput.round3(overGRPC.p99)
                    run["grpc_server_cpu_ms_per_request"] = BenchOutput.round3(overGRPC.serverCPUms)
                    run["grpc_client_cpu_ms_per_request"] = BenchOutput.round3(overGRPC.clientCPUms)
                }
                if let theirs { run["peer_rps"] = BenchOutput.round3(theirs.rps); run["peer_p50_ms"] = theirs.p50; run["peer_p99_ms"] = theirs.p99 }
                if let bound { run["ceiling_rps"] = BenchOutput.round3(bound.rps); run["ceiling_p50_ms"] = bound.p50; run["ceiling_p99_ms"] = bound.p99 }
                runs.append(run)
            }
        }
        print("MNIST MLP 784-128-64-10 served over HTTP (TF Serving REST API), wrk \(seconds) s per run, 1 wrk thread\(grpc ? "; and over gRPC Predict (tessera-bench's load generator, one connection per client)" : ""); peer: \(peer == nil ? peerNote : "torch_serve.py (FastAPI + uvicorn + PyTorch, 1 thread)")")
        BenchOutput.printTable(
            ["batch", "clients", "tessera req/s", "p50 ms", "p99 ms", "server cpu ms/req", "grpc req/s", "grpc p50 ms", "grpc p99 ms", "grpc server cpu ms/req",
             "grpc client cpu ms/req", "peer req/s", "peer p50 ms", "peer p99 ms", "ratio",
             "ceiling req/s", "ceiling p99 ms", "tessera/ceiling", "ceiling/peer"], rows)
        if ceiling {
            print("ceiling: a responder in tessera-bench that reads each request and writes the same answer bytes doing no work (blocking sockets, a thread per connection); no server can pass it under this wrk on this machine, so ceiling/peer bounds any ratio")
        }
        let loadAfter = Self.loadAverage()
        print("load average (1 min) before \(loadBefore) and after \(loadAfter): figures taken beside other work are lower bounds")
        let path = try BenchOutput.writeJSON("serve", [
            "bench": "serve", "model": "mlp 784-128-64-10", "seconds": seconds, "peer": peer == nil ? peerNote : "torch_serve.py", "runs": runs,
            "load_before": loadBefore.isFinite ? loadBefore : NSNull(), "load_after": loadAfter.isFinite ? loadAfter : NSNull(),
        ])
        print("wrote \(path)")
        let (mine, theirs, overGRPC) = headline ?? (Run(rps: .nan, p50: .nan, p99: .nan), nil, nil)
        print(BenchOutput.result([
            "bench": "serve", "rps": BenchOutput.round3(mine.rps), "peer_rps": theirs.map { BenchOutput.round3($0.rps) } as Any,
            "ratio": theirs.map { BenchOutput.round3(mine.rps / $0.rps) } as Any, "p99_ms": mine.p99, "peer_p99_ms": theirs?.p99 as Any,
            "grpc_rps": overGRPC.map { BenchOutput.round3($0.rps) } as Any, "grpc_p99_ms": overGRPC?.p99 as Any,
            "rps_1client": oneClient.map { BenchOutput.round3($0.0.rps) } as Any,
            "peer_rps_1client": oneClient?.1.map { BenchOutput.round3($0.rps) } as Any,
            "ratio_1client": oneClient.flatMap { one in one.1.map { BenchOutput.round3(one.0.rps / $0.rps) } } as Any,
            "p99_ms_1client": oneClient?.0.p99 as Any, "peer_p99_ms_1client": oneClient?.1?.p99 as Any,
            "ceiling_rps_1client": oneClientCeiling.map { BenchOutput.round3($0.rps) } as Any,
            "ceiling_p99_ms_1client": oneClientCeiling?.p99 as Any,
            "ceiling_ratio_1client": oneClientCeiling.flatMap { bound in oneClient?.1.map { BenchOutput.round3(bound.rps / $0.rps) } } as Any,
        ]))
    }

    /// An export of an MNIST MLP (seeded random weights; throughput does not depend on their values) with its spec and
    /// preprocessing, as `clusterctl export` writes one.
    static func writeExport(to path: String) throws {
        let spec = try JobSpecParser.parse(yaml: """
            name: mnist
            model: {type: mlp, hidden: [128, 64]}
            data: {format: idx, train: mnist/train-images-idx3-ubyte.gz, train_labels: mnist/train-labels-idx1-ubyte.gz}
            training: {mode: async, epochs: 1}
            """)
        let preprocessing = Preprocessing(features: (0..<784).map { "pixel_\($0)" }, inputWidth: 784, divisor: 255, classes: 10)
        let model = try ModelBuilder.make(spec: spec, preprocessing: preprocessing)
        let parameters = try ParameterSet(variables: model.variables, seed: 7)
        let tensors = zip(model.variables, parameters.tensors).map { v, t in
            SafetensorsWriter.Tensor.floats(v.name, shape: v.shape, values: Array(UnsafeBufferPointer(start: t.baseAddress, count: t.count)))
        }
        try SafetensorsWriter.write(tensors, metadata: ["format": "tessera", "step": "1", "spec": spec.yaml, "preprocessing": preprocessing.json], to: path)
    }

    /// A `FixedHTTPResponder` of the answer the workerd on `port` gives to the request body in `bodyPath`.
    static func fixedResponder(answering bodyPath: String, like port: Int) throws -> FixedHTTPResponder {
        guard let answer = TorchPeer.run(
            ["curl", "-sf", "-H", "Content-Type: application/json", "--data-binary", "@\(bodyPath)", "http://127.0.0.1:\(port)/v1/models/mnist:predict"],
            environment: [:])
        else { throw BenchFailure("the workerd on port \(port) did not answer the request body \(bodyPath)") }
        return try FixedHTTPResponder(body: Array(answer.utf8))
    }

    /// `batch` rows of 784 random pixel values 0…255.
    static func rows(batch: Int) -> [[UInt8]] {
        var rng = SystemRandomNumberGenerator()
        return (0..<batch).map { _ in (0..<784).map { _ in UInt8.random(in: 0...255, using: &rng) } }
    }

    /// `{"instances": [...]}` of `rows`.
    static func requestBody(_ rows: [[UInt8]]) -> Data {
        let text = rows.map { "[" + $0.map(String.init).joined(separator: ",") + "]" }
        return Data("{\"instances\":[\(text.joined(separator: ","))]}".utf8)
    }

    /// The 1-minute load average from /proc/loadavg (the other work on the machine; nan where unreadable).
    static func loadAverage() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8), let first = text.split(separator: " ").first else { return .nan }
        return Double(first) ?? .nan
    }

    /// CPU seconds (user + system) `process` has used so far, from /proc (nan where unreadable).
    static func cpuSeconds(of process: Process) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return .nan }
        // Fields after "(comm)": state is field 3, utime 14 and stime 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return .nan }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// `cpu` seconds spread over the requests of `run` (its requests/s over `seconds`), in ms per request.
    static func perRequestMs(_ cpu: Double, _ run: Run?, _ seconds: Int) -> Double {
        guard let run, run.rps > 0, seconds > 0 else { return .nan }
        return cpu * 1000 / (run.rps * Double(seconds))
    }

    /// SIGTERM, then SIGKILL after 5 s (uvicorn can linger after SIGTERM).
    static func stop(_ process: Process) {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning, Date() < deadline { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    static func start(_ executable: String, _ arguments: [String], log: URL) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }

    static func waitForHTTP(port: Int, what: String, seconds: Double = 20) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if TorchPeer.run(["curl", "-sf", "http://127.0.0.1:\(port)/v1/models/mnist"], environment: [:]) != nil { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw BenchFailure("\(what) did not answer on port \(port) within \(Int(seconds)) s")
    }

    static func which(_ tool: String) -> Bool { TorchPeer.run(["sh", "-c", "command -v \(tool)"], environment: [:]) != nil }

    /// One wrk run posting `body`: requests/s and p50/p99 latency in ms.
    static func wrk(port: Int, body: String, connections: Int, seconds: Int) throws -> Run {
        let script = body + ".lua"
        try Data("""
            wrk.method = "POST"
            wrk.headers["Content-Type"] = "application/json"
            local f = io.open("\(body)", "rb"); wrk.body = f:read("*a"); f:close()
            """.utf8).write(to: URL(fileURLWithPath: script))
        guard let output = TorchPeer.run(
            ["wrk", "-t1", "-c\(connections)", "-d\(seconds)s", "--latency", "-s", script, "http://127.0.0.1:\(port)/v1/models/mnist:predict"],
            environment: [:])
        else { throw BenchFailure("wrk failed against port \(port)") }
        if output.contains("Non-2xx") { throw BenchFailure("port \(port) answered errors under load:\n\(output)") }
        func latency(_ label: String) -> Double {
            guard let line = output.split(separator: "\n").first(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix(label) }),
                let text = line.split(separator: " ", omittingEmptySubsequences: true).last
            else { return .nan }
            let units: [(String, Double)] = [("us", 0.001), ("ms", 1), ("s", 1000)]
            for (unit, scale) in units where text.hasSuffix(unit) { return (Double(text.dropLast(unit.count)) ?? .nan) * scale }
            return .nan
        }
        let rps = output.split(separator: "\n").first { $0.hasPrefix("Requests/sec:") }
            .flatMap { Double($0.dropFirst("Requests/sec:".count).trimmingCharacters(in: .whitespaces)) } ?? .nan
        return Run(rps: rps, p50: latency("50%"), p99: latency("99%"))
    }
}
