import Foundation
import FuzzSupport

/// Entry point shared by both build modes: under `-sanitize=fuzzer -D FUZZING` (scripts/fuzz) it hands
/// control to libFuzzer; in a plain `swift build` it replays the files and directories given as
/// arguments (a corpus regression runner), or writes the seed corpus with `--write-seeds DIR`.
@main
struct FuzzData {
    static func main() {
        #if FUZZING
        exit(FuzzerDriver.run(DataFuzzer.fuzzerCallback))
        #else
        exit(Replay.run(arguments: Array(CommandLine.arguments.dropFirst()), target: "fuzz-data",
            writeSeeds: DataFuzzer.writeSeeds(to:), body: DataFuzzer.fuzz))
        #endif
    }
}
