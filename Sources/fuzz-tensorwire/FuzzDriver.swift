import FuzzSupport

/// `fuzz-tensorwire`: libFuzzer under scripts/fuzz, a corpus replayer (or `--write-seeds DIR`) in a plain build (`FuzzMain`).
@main
struct FuzzTensorWire {
    static func main() { FuzzMain.run(target: "fuzz-tensorwire", writeSeeds: TensorWireSeeds.write(to:), body: TensorWireFuzzer.fuzz) }
}
