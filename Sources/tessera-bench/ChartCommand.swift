import ArgumentParser
import Foundation

/// `tessera-bench chart NAME`: draws `bench-results/NAME.svg` from `bench-results/NAME.json`
/// (push-pull, apply, train, e2e, stragglers, cuda); scripts/bench runs it after every benchmark.
struct ChartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chart",
        abstract: "Draw bench-results/NAME.svg from bench-results/NAME.json.")

    @Argument(help: "The benchmark: push-pull, apply, train, e2e or stragglers.")
    var name: String

    @Option(help: "Also copy the chart to this path (e.g. docs/img/NAME.svg).")
    var copyTo: String?

    func run() throws {
        let path = "bench-results/\(name).json"
        guard let data = FileManager.default.contents(atPath: path),
            let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { throw BenchFailure("\(path) is missing or not a JSON object: run `scripts/bench \(name)` first") }
        let chart = try Self.chart(name, json)
        let written = try chart.write(name)
        FileHandle.standardError.write(Data("wrote \(written)\n".utf8))  // stdout keeps the benchmark's RESULT line last
        if let copyTo {
            try FileManager.default.createDirectory(
                atPath: URL(fileURLWithPath: copyTo).deletingLastPathComponent().path, withIntermediateDirectories: true)
            try? FileManager.default.removeItem(atPath: copyTo)
            try FileManager.default.copyItem(atPath: written, toPath: copyTo)
            FileHandle.standardError.write(Data("wrote \(copyTo)\n".utf8))
        }
    }

    /// The chart of one benchmark's JSON.
    static func chart(_ name: String, _ json: [String: Any]) throws -> SVGBarChart {
        func number(_ value: Any?) -> Double? { (value as? NSNumber)?.doubleValue }
        // The load the benchmark itself saw, when its JSON records it.
        let load = number(json["load_average_before"]) ?? number(json["load_average"])
        let note = SVGBarChart.machineNote(loadAverage: load)
        switch name {
        case "push-pull":
            var bars: [SVGBarChart.Bar] = []
            let rows = (json["rows"] as? [[String: Any]]) ?? []
            for row in rows {
                guard let gbps = number(row["gbps"]), let mib = number(row["mib"]), let shards = number(row["shards"]) else { continue }
                bars.append(.init(label: "\(row["transport"] as? String ?? "?") \(Int(mib)) MiB, \(Int(shards)) shard(s)", value: gbps,
                                  group: "tessera \(row["transport"] as? String ?? "")"))
            }
            // Raw TCP is measured before every row; the chart shows the one taken before each size's first row.
            var raw: [(mib: Int, gbps: Double)] = []
            for row in rows {
                guard let mib = number(row["mib"]).map(Int.init), let gbps = number(row["raw_tcp_gbps"]), !raw.contains(where: { $0.mib == mib }) else { continue }
                raw.append((mib, gbps))
            }
            for (mib, gbps) in raw.sorted(by: { $0.mib < $1.mib }) {
                bars.append(.init(label: "raw TCP \(mib) MiB", value: gbps, group: "reference"))
            }
            if let torch = number(json["torch_rpc_gbps"]) { bars.append(.init(label: "torch rpc", value: torch, group: "pytorch")) }
            return SVGBarChart(title: "Dense push + pull through psd (loopback)", unit: "GB/s (higher is better)", bars: bars, note: note)
        case "serve":
            var bars: [SVGBarChart.Bar] = []
            for run in (json["runs"] as? [[String: Any]]) ?? [] {
                let label = "batch \(number(run["batch"]).map { Int($0) } ?? 0), \(number(run["connections"]).map { Int($0) } ?? 0) clients"
                if let rps = number(run["rps"]) { bars.append(.init(label: "tessera \(label)", value: rps, group: "tessera")) }
                if let rps = number(run["grpc_rps"]) { bars.append(.init(label: "tessera gRPC \(label)", value: rps, group: "tessera gRPC")) }
                if let rps = number(run["peer_rps"]) { bars.append(.init(label: "peer \(label)", value: rps, group: "pytorch")) }
            }
            return SVGBarChart(title: "Predictions served over HTTP (TF Serving REST API) and gRPC Predict", unit: "requests/s (higher is better)", bars: bars, note: note)
        case "apply":
            var bars: [SVGBarChart.Bar] = []
            if let memcpy = number(json["memcpy_gbps"]) { bars.append(.init(label: "memcpy", value: memcpy, group: "reference")) }
            for (optimizer, gbps) in ((json["optimizers"] as? [String: Any]) ?? [:]).sorted(by: { $0.key < $1.key }) {
                if let gbps = number(gbps) { bars.append(.init(label: optimizer, value: gbps, group: "ParameterShard.push")) }
            }
            return SVGBarChart(title: "Optimizer apply on one \(number(json["mib"]).map { Int($0) } ?? 0) MiB partition", unit: "GB/s of parameters (higher is better)", bars: bars, note: note)
        case "train":
            var bars: [SVGBarChart.Bar] = []
            if let tessera = number(json["samples_per_s"]) { bars.append(.init(label: "tessera, one process", value: tessera, group: "tessera")) }
            if let cluster = number(json["cluster_samples_per_s"]) {
                bars.append(.init(label: "tessera, 1 psd + 1 workerd", value: cluster, group: "tessera"))
            }
            bars.append(.init(label: "pytorch", value: number(json["torch_samples_per_s"]) ?? .nan, group: "pytorch"))
            return SVGBarChart(title: "MNIST MLP training, 1 thread", unit: "samples/s (higher is better)", bars: bars, note: note)
        case "e2e":
            var bars: [SVGBarChart.Bar] = []
            for mode in ["async", "sync"] {
                if let run = json[mode] as? [String: Any], let rate = number(run["samples_per_s"]) {
                    bars.append(.init(label: "tessera \(mode)", value: rate, group: "tessera"))
                }
            }
            bars.append(.init(label: "pytorch rpc ps (async)", value: number(json["peer_samples_per_s"]) ?? .nan, group: "pytorch"))
            let workers = number(json["workers"]).map { Int($0) } ?? 2
            return SVGBarChart(title: "MNIST MLP 784-128-64-10 through a parameter server, \(workers) workers", unit: "samples/s (higher is better)", bars: bars, note: note)
        case "stragglers":
            var bars: [SVGBarChart.Bar] = []
            let labels = [("sync_b0", "sync N=3 b=0"), ("sync_b1", "sync N=2 b=1"), ("async", "async")]
            let factor = number(json["slowdown"]) ?? 3
            let shown = String(format: "%g", factor)
            for (key, label) in labels {
                guard let config = json[key] as? [String: Any] else { continue }
                let base = (config["unslowed"] as? [String: Any]).flatMap { number($0["steps_per_s"]) } ?? .nan
                let slow = (config["slowed"] as? [String: Any]).flatMap { number($0["steps_per_s"]) } ?? .nan
                bars.append(.init(label: "\(label), no straggler", value: base, group: "no straggler"))
                bars.append(.init(label: "\(label), one \(shown)× slower", value: slow, group: "one worker slowed"))
            }
            return SVGBarChart(title: "Stragglers: 3 workers, one \(shown)× slower", unit: "applied steps/s (higher is better)", bars: bars, note: note)
        case "failover":
            var bars: [SVGBarChart.Bar] = []
            for (key, label) in [("sync_b1", "sync N=2 b=1"), ("sync_b0", "sync N=3 b=0"), ("async", "async")] {
                guard let run = json[key] as? [String: Any] else { continue }
                bars.append(.init(label: "\(label), before", value: number(run["steps_per_s_before"]) ?? .nan, group: "before the kill"))
                bars.append(.init(label: "\(label), right after", value: number(run["steps_per_s_right_after"]) ?? .nan, group: "first seconds after"))
                bars.append(.init(label: "\(label), later", value: number(run["steps_per_s_later"]) ?? .nan, group: "once declared dead"))
            }
            return SVGBarChart(title: "One of 3 workers killed (SIGKILL) mid-job", unit: "applied steps/s (higher is better)", bars: bars, note: note)
        case "cuda":
            var bars: [SVGBarChart.Bar] = []
            for row in (json["speed"] as? [[String: Any]]) ?? [] {
                let label = "MLP \(row["model"] as? String ?? "?"), batch \(number(row["batch"]).map { Int($0) } ?? 0)"
                bars.append(.init(label: label, value: number(row["speedup"]) ?? .nan, group: "cuda steps/s ÷ cpu steps/s"))
            }
            return SVGBarChart(title: "CUDA backend speed-up over the CPU backend (all cores)", unit: "× (higher is better)", bars: bars,
                               note: json["details"] as? String ?? note)
        case "scale-workers":
            return ScaleWorkersReport.chart(json, note: note)
        default:
            throw ValidationError("no chart for \(name): use push-pull, apply, train, e2e, stragglers, failover, cuda, serve or scale-workers")
        }
    }
}
