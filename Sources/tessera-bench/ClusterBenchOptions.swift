import ArgumentParser
import Foundation

/// Where the cluster benchmarks find MNIST and the release psd / workerd.
struct ClusterBenchOptions: ParsableArguments {
    @Option(help: "Directory holding mnist/ (default: .data when it has MNIST, else ../shared/data).")
    var dataRoot: String?

    @Option(help: "Directory holding the release psd and workerd (default: beside tessera-bench).")
    var binDir: String?

    /// The data root as an absolute path (workers run in other directories).
    var resolvedDataRoot: String {
        let root = dataRoot ?? (FileManager.default.fileExists(atPath: ".data/mnist/t10k-labels-idx1-ubyte.gz") ? ".data" : "../shared/data")
        return URL(fileURLWithPath: root).standardizedFileURL.path
    }

    /// The directory of the daemons.
    var bin: URL { binDir.map { URL(fileURLWithPath: $0) } ?? BenchCluster.defaultBinDirectory() }
}
