import FuzzSupport

/// `fuzz-controlplane`: libFuzzer under scripts/fuzz, a corpus replayer (or `--write-seeds DIR`) in a plain build (`FuzzMain`).
@main
struct FuzzControlPlane {
    static func main() { FuzzMain.run(target: "fuzz-controlplane", writeSeeds: ControlPlaneFuzzer.writeSeeds(to:), body: ControlPlaneFuzzer.fuzz) }
}
