import FuzzSupport

/// `fuzz-dataplane`: libFuzzer under scripts/fuzz, a corpus replayer (or `--write-seeds DIR`) in a plain build (`FuzzMain`).
@main
struct FuzzDataPlane {
    static func main() { FuzzMain.run(target: "fuzz-dataplane", writeSeeds: DataPlaneFuzzer.writeSeeds(to:), body: DataPlaneFuzzer.fuzz) }
}
