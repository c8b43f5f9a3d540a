import Foundation

/// Helpers shared by the benchmarks: timing, medians, tables and JSON results.
enum BenchOutput {
    /// Seconds `body` takes.
    static func time(_ body: () throws -> Void) rethrows -> Double {
        let start = ContinuousClock.now
        try body()
        return seconds(ContinuousClock.now - start)
    }

    /// CPU seconds (user + system) this process has used so far, all threads together.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// Seconds `body` takes (async).
    static func time(_ body: () async throws -> Void) async rethrows -> Double {
        let start = ContinuousClock.now
        try await body()
        return seconds(ContinuousClock.now - start)
    }

    /// A duration in seconds.
    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    /// The median of non-empty samples.
    static func median(_ samples: [Double]) -> Double {
        let sorted = samples.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }

    /// Prints rows as an aligned table under a header.
    static func printTable(_ header: [String], _ rows: [[String]]) {
        let widths = header.indices.map { i in ([header[i]] + rows.map { $0[i] }).map(\.count).max() ?? 0 }
        func line(_ cells: [String]) -> String {
            zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
        }
        print(line(header))
        for row in rows { print(line(row)) }
        fflush(nil)
    }

    /// Writes a JSON object to `bench-results/NAME.json` (relative to the working directory) and returns the path.
    @discardableResult
    static func writeJSON(_ name: String, _ object: [String: Any]) throws -> String {
        try FileManager.default.createDirectory(atPath: "bench-results", withIntermediateDirectories: true)
        let path = "bench-results/\(name).json"
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    /// The one-line `RESULT {json}` every benchmark ends with (keys in the given order).
    static func result(_ pairs: KeyValuePairs<String, Any>) -> String {
        let fields = pairs.map { key, value -> String in
            let rendered: String
            switch value {
            case let s as String: rendered = "\"\(s)\""
            case let d as Double: rendered = d.isFinite ? String(format: "%.3f", d) : "null"
            case let i as Int: rendered = String(i)
            case Optional<Double>.none: rendered = "null"
            default: rendered = "\(value)"
            }
            return "\"\(key)\":\(rendered)"
        }
        return "RESULT {" + fields.joined(separator: ",") + "}"
    }

    /// Rounds to three decimals for JSON.
    static func round3(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }
}
