import FuzzSupport

/// `fuzz-data`: libFuzzer under scripts/fuzz, a corpus replayer (or `--write-seeds DIR`) in a plain build (`FuzzMain`).
@main
struct FuzzData {
    static func main() { FuzzMain.run(target: "fuzz-data", writeSeeds: DataFuzzer.writeSeeds(to:), body: DataFuzzer.fuzz) }
}
