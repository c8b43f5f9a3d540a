import Foundation

/// The PyTorch RPC parameter server of `../shared/peer/torch_ps_rpc.py train`, run with the
/// python3 first on PATH (scripts/bench puts venv-torch/bin there).
enum TorchPeer {
    /// A finished peer run: overall samples/s and the held-out accuracy after each epoch.
    struct Run {
        var samplesPerSecond: Double
        /// Per epoch: cumulative seconds and test accuracy.
        var epochs: [(seconds: Double, accuracy: Double)]
        var seconds: Double { epochs.last?.seconds ?? .nan }
        var bestAccuracy: Double { epochs.map(\.accuracy).max() ?? .nan }
        /// Cumulative seconds to the first epoch at or above `accuracy` (evaluated once per epoch).
        func secondsTo(_ accuracy: Double) -> Double? { epochs.first { $0.accuracy >= accuracy }?.seconds }
    }

    /// Measured, or why not.
    enum Outcome {
        case measured(Run)
        case skipped(String)
    }

    /// Runs `torch_ps_rpc.py train --workers N --epochs E`.
    static func runParameterServer(peerDir: String, dataRoot: String, workers: Int, epochs: Int) -> Outcome {
        let script = peerDir + "/torch_ps_rpc.py"
        guard FileManager.default.fileExists(atPath: script) else { return .skipped("\(script) is missing") }
        guard run(["python3", "-c", "import torch"], environment: [:]) != nil else {
            return .skipped("`python3 -c 'import torch'` fails (torch is not installed; see ../shared/peer/README.md)")
        }
        guard let output = run(["python3", script, "train", "--workers", "\(workers)", "--epochs", "\(epochs)"],
                               environment: ["MNIST_DIR": dataRoot + "/mnist"])
        else { return .skipped("torch_ps_rpc.py train failed") }
        var epochsSeen: [(Double, Double)] = []
        var total = 0.0
        var overall: Double?
        for line in output.split(separator: "\n") {
            if line.hasPrefix("RESULT "), let object = parse(line.dropFirst(7)) {
                overall = (object["overall_samples_per_s"] as? NSNumber)?.doubleValue
            } else if line.hasPrefix("{"), let object = parse(line[...]),
                let secs = (object["secs"] as? NSNumber)?.doubleValue, let accuracy = (object["test_acc"] as? NSNumber)?.doubleValue
            {
                total += secs
                epochsSeen.append((total, accuracy))
            }
        }
        guard let overall else { return .skipped("torch_ps_rpc.py printed no RESULT line") }
        return .measured(Run(samplesPerSecond: overall, epochs: epochsSeen))
    }

    private static func parse(_ text: Substring) -> [String: Any]? {
        try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
    }

    /// Runs a command; its stdout when it exits 0.
    static func run(_ arguments: [String], environment: [String: String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
    }
}
