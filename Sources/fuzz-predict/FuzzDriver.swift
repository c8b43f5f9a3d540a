import FuzzSupport

/// `fuzz-predict`: libFuzzer under scripts/fuzz, a corpus replayer (or `--write-seeds DIR`) in a plain build (`FuzzMain`).
@main
struct FuzzPredict {
    static func main() { FuzzMain.run(target: "fuzz-predict", writeSeeds: PredictFuzzer.writeSeeds(to:), body: PredictFuzzer.fuzz) }
}
