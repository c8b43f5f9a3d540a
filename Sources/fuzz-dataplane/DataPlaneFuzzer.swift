import Foundation

/// The fuzz body of fuzz-dataplane (being written: see issue 12).
enum DataPlaneFuzzer {
    /// Runs one input.
    static func fuzz(_ data: [UInt8]) {}

    /// Writes the seed inputs; returns how many.
    static func writeSeeds(to directory: String) throws -> Int { 0 }

    #if FUZZING
    /// libFuzzer's per-input callback.
    static let fuzzerCallback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt = { pointer, count in
        fuzz(pointer.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? [])
        return 0
    }
    #endif
}
