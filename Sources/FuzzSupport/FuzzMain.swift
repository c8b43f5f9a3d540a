import Foundation

/// The one entry point of every fuzz target: under `-sanitize=fuzzer -D FUZZING` (scripts/fuzz) it hands control to
/// libFuzzer with `body` as the per-input callback; in a plain `swift build` it replays the files and directories
/// given as arguments (a corpus regression runner), or writes the seed corpus with `--write-seeds DIR`.
public enum FuzzMain {
    /// The target's per-input body (set once, before libFuzzer starts calling).
    nonisolated(unsafe) static var body: ([UInt8]) -> Void = { _ in }

    /// Runs the target named `target` and exits with its status.
    public static func run(target: String, writeSeeds: (String) throws -> Int, body: @escaping ([UInt8]) -> Void) -> Never {
        #if FUZZING
        Self.body = body
        exit(FuzzerDriver.run { data, size in
            FuzzMain.body(size == 0 ? [] : data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
            return 0
        })
        #else
        exit(Replay.run(arguments: Array(CommandLine.arguments.dropFirst()), target: target, writeSeeds: writeSeeds, body: body))
        #endif
    }
}

#if FUZZING
/// libFuzzer's per-input entry point (its runtime links against the symbol; one per fuzz target binary).
@_cdecl("LLVMFuzzerTestOneInput")
public func LLVMFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzMain.body(size == 0 ? [] : data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}
#endif
