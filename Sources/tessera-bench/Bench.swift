import ArgumentParser
import ClusterRuntime

/// `tessera-bench`: the benchmarks behind `scripts/bench`.
@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tessera-bench",
        abstract: "Tessera benchmarks (run through scripts/bench, which builds in release mode).",
        version: tesseraVersion,
        subcommands: [PushPullCommand.self, ApplyCommand.self, TrainBench.self, E2ECommand.self, StragglersCommand.self, FailoverCommand.self, CUDACommand.self, CRCCommand.self, ServeCommand.self, ControlPlaneCommand.self, ScaleWorkersCommand.self, EmbeddingsCommand.self, ChartCommand.self]
    )
}
