import FuzzSupport

/// `fuzz-native`: libFuzzer under scripts/fuzz, a corpus replayer (or `--write-seeds DIR`) in a plain build (`FuzzMain`).
@main
struct FuzzNative {
    static func main() { FuzzMain.run(target: "fuzz-native", writeSeeds: NativeFuzzer.writeSeeds(to:), body: NativeFuzzer.fuzz) }
}
