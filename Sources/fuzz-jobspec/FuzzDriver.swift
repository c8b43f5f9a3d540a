import FuzzSupport

/// `fuzz-jobspec`: libFuzzer under scripts/fuzz, a corpus replayer (or `--write-seeds DIR`) in a plain build (`FuzzMain`).
@main
struct FuzzJobSpec {
    static func main() { FuzzMain.run(target: "fuzz-jobspec", writeSeeds: JobSpecFuzzer.writeSeeds(to:), body: JobSpecFuzzer.fuzz) }
}
